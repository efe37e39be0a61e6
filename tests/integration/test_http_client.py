"""pipelines.http.Client against a local server → retries, no retries, typed errors, limits, allowlist.

The server answers with the committed excerpts of ../shared (tests/fixtures/upstream): no ../shared needed."""

import gzip

import pytest
import urllib3.util.retry

from indicators.catalog import load_indicators
from pipelines.http import Client, FetchError
from pipelines.live import eurostat
from pipelines.settings import get_settings
from tests.upstream.server import LocalUpstream

DATASET = "nrg_ind_ren"
RETRIES = 2
READ_TIMEOUT = 0.3


@pytest.fixture(scope="module")
def upstream(upstream_fixture_raw):
    with LocalUpstream(upstream_fixture_raw) as up:
        yield up


@pytest.fixture
def client(upstream, monkeypatch):
    upstream.reset()
    for name, value in {
        **upstream.env(),
        "AIPLAN_HTTP_BACKOFF": "0.01",
        "AIPLAN_HTTP_RETRIES": str(RETRIES),
        "AIPLAN_HTTP_CONNECT_TIMEOUT": "0.3",
        "AIPLAN_HTTP_READ_TIMEOUT": str(READ_TIMEOUT),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AIPLAN_HTTP_MAX_BYTES", raising=False)
    c = Client(get_settings())
    yield c
    c.close()
    upstream.reset()


def _url(upstream, dataset=DATASET):
    req = next(r for r in eurostat.plan(load_indicators()) if r.dataset == dataset)
    return eurostat.slice_url(upstream.url("eurostat"), req)


def _fail(client, url) -> FetchError:
    with pytest.raises(FetchError) as exc:
        client.get(url, expect=eurostat.CSV_TYPES)
    return exc.value


def _attempts(upstream):
    return len(upstream.requests(dataset=DATASET))


def test_plain_get_counts_stats(client, upstream):
    resp = client.get(_url(upstream), expect=eurostat.CSV_TYPES)
    assert resp.status == 200 and resp.body.startswith(b"DATAFLOW,LAST UPDATE,freq,nrg_bal")
    assert (client.stats.requests, client.stats.bytes) == (1, len(resp.body))
    assert upstream.requests(dataset=DATASET)[0].bytes == len(resp.body)


def test_asks_for_identity_and_reads_a_chunked_body_without_length(client, upstream, upstream_fixture_raw):
    resp = client.get(_url(upstream), expect=eurostat.CSV_TYPES)
    seen = upstream.requests(dataset=DATASET)[0]
    assert seen.accept_encoding == "identity"
    assert resp.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in resp.headers
    # Every line of the excerpt (it holds only the asked series and geos), read whole from the chunks.
    excerpt = (upstream_fixture_raw / "eurostat" / "nrg_ind_ren.sdmx.csv").read_bytes()
    assert resp.body == excerpt and resp.body.count(b"\n") > 100


def test_gzip_without_content_encoding_arrives_as_gzip_bytes(client, upstream):
    """Eurostat compresses without saying so: the client gets the gzip bytes, the readers sniff them."""
    upstream.gzip = "always"
    resp = client.get(_url(upstream), expect=eurostat.CSV_TYPES)
    assert resp.body[:2] == b"\x1f\x8b"
    assert gzip.decompress(resp.body).startswith(b"DATAFLOW,LAST UPDATE,freq,nrg_bal")


def _waits(monkeypatch) -> list[float]:
    """The waits urllib3's retry asks for, recorded instead of slept: the policy, not a stopwatch."""
    waits: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", waits.append)
    return waits


def test_retry_after_longer_than_the_ceiling_is_not_waited_for(client, upstream, monkeypatch):
    monkeypatch.setenv("AIPLAN_HTTP_MAX_RETRY_AFTER", "5")
    upstream.set_fault(DATASET, "unavailable", retry_after=3600)
    waits = _waits(monkeypatch)
    err = _fail(Client(get_settings()), _url(upstream))
    assert waits == []
    assert (err.kind, err.status) == ("server_error", 503)
    assert _attempts(upstream) == 1


def test_maintenance_redirect_is_unavailable_without_following_it(client, upstream):
    upstream.set_fault(DATASET, "maintenance")
    err = _fail(client, _url(upstream))
    assert err.kind == "unavailable" and "sorry.ec.europa.eu" in str(err)
    assert _attempts(upstream) == 1


def test_503_with_retry_after_is_retried_and_succeeds(client, upstream, monkeypatch):
    upstream.set_fault(DATASET, "unavailable", times=1, retry_after=2)
    waits = _waits(monkeypatch)
    resp = client.get(_url(upstream), expect=eurostat.CSV_TYPES)
    assert resp.status == 200 and b",REN,PC,BE,2020," in resp.body
    assert [r.status for r in upstream.requests(dataset=DATASET)] == [503, 200]
    assert waits == [2.0], "Retry-After: 2 not honoured"
    # Surprise worth knowing: the stats count calls to get(), not HTTP attempts.
    assert client.stats.requests == 1


@pytest.mark.parametrize(
    ("fault", "status", "kind"),
    [
        ("bad_request", 400, "unknown_code"),  # INVALID_QUERY_* is mapped to unknown_code, not bad_request
        ("not_found", 404, "unknown_dataset"),
        ("too_big", 413, "too_big"),
    ],
)
def test_client_errors_are_not_retried(client, upstream, fault, status, kind):
    upstream.set_fault(DATASET, fault)
    err = _fail(client, _url(upstream))
    assert (err.kind, err.status) == (kind, status)
    assert _attempts(upstream) == 1


def test_eurostat_error_label_is_the_message(client, upstream):
    upstream.set_fault(DATASET, "bad_request")
    assert "INVALID_QUERY_DIMENSION" in str(_fail(client, _url(upstream)))


@pytest.mark.parametrize(("fault", "status", "kind"), [("rate_limited", 429, "rate_limited"),
                                                       ("server_error", 500, "server_error")])  # fmt: skip
def test_retried_statuses_fail_typed_after_the_retries(client, upstream, fault, status, kind):
    upstream.set_fault(DATASET, fault)
    err = _fail(client, _url(upstream))
    assert (err.kind, err.status) == (kind, status)
    assert _attempts(upstream) == RETRIES + 1


def test_html_page_is_not_data(client, upstream):
    upstream.set_fault(DATASET, "html")
    assert _fail(client, _url(upstream)).kind == "html"


def test_wrong_content_type_is_not_data(client, upstream):
    resp = client.get(_url(upstream), expect=eurostat.CSV_TYPES)  # fine as CSV …
    with pytest.raises(FetchError) as exc:  # … but not where a workbook is expected
        client.get(resp.url, expect=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",))
    assert exc.value.kind == "not_data"


@pytest.mark.parametrize("fault", ["truncated", "truncated_length"])
def test_truncated_body(client, upstream, fault):
    upstream.set_fault(DATASET, fault)
    err = _fail(client, _url(upstream))
    assert err.kind == "truncated"
    assert _attempts(upstream) == 1


def test_announced_size_over_the_limit_is_too_large(client, upstream, monkeypatch, upstream_fixture_raw):
    size = (upstream_fixture_raw / "statbel" / "TF_SOC_POP_STRUCT_2022.zip").stat().st_size
    monkeypatch.setenv("AIPLAN_HTTP_MAX_BYTES", str(size // 2))
    url = upstream.url("statbel") + "/opendata/TF_SOC_POP_STRUCT_2022.zip"  # sent with a Content-Length
    with pytest.raises(FetchError) as exc:
        Client(get_settings()).get(url, expect=("application/zip",))
    assert exc.value.kind == "too_large" and "announced" in str(exc.value)


def test_body_over_the_limit_is_too_large_without_a_declared_length(client, upstream, monkeypatch):
    whole = len(client.get(_url(upstream), expect=eurostat.CSV_TYPES).body)
    upstream.reset()
    monkeypatch.setenv("AIPLAN_HTTP_MAX_BYTES", str(whole // 2))  # chunked: no Content-Length to refuse early
    err = _fail(Client(get_settings()), _url(upstream))
    assert err.kind == "too_large"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/eurostat/catalogue/toc/txt",
        "http://localhost:{port}/eurostat/catalogue/toc/txt",  # same server, another host name
        "http://127.0.0.1:1/eurostat/catalogue/toc/txt",  # same host, another port
    ],
)
def test_unconfigured_host_is_refused_without_a_request(client, upstream, url):
    err = _fail(client, url.format(port=upstream.port))
    assert err.kind == "refused_host"
    assert upstream.log == [] and client.stats.requests == 0


def test_connect_timeout(client, upstream, monkeypatch):
    monkeypatch.setenv("AIPLAN_EUROSTAT_URL", f"http://127.0.0.1:{upstream.blackhole_port()}/eurostat")
    c = Client(get_settings())
    waits = _waits(monkeypatch)
    err = _fail(c, f"http://127.0.0.1:{upstream.blackhole_port()}/eurostat/catalogue/toc/txt?lang=en")
    assert err.kind == "timeout" and "no connection within 0.3 s" in str(err)
    assert len(waits) <= RETRIES  # retried, but bounded


def test_redirect_to_an_unconfigured_host_is_refused(client, upstream, upstream_fixture_raw):
    with LocalUpstream(upstream_fixture_raw) as elsewhere:
        upstream.set_fault(DATASET, "redirect", location=_url(elsewhere))
        try:
            err = _fail(client, _url(upstream))
            assert err.kind == "refused_host"
        finally:
            assert elsewhere.log == [], "the client was redirected to an unconfigured host and went there"


def test_read_timeout_before_the_headers_is_retried_once_then_timeout(client, upstream):
    upstream.set_fault(DATASET, "read_timeout", delay=READ_TIMEOUT + 1)
    err = _fail(client, _url(upstream))
    assert err.kind == "timeout"
    assert _attempts(upstream) == 2  # Retry(read=1)


def test_read_timeout_in_the_body_is_kind_timeout(client, upstream):
    upstream.set_fault(DATASET, "slow_body", delay=READ_TIMEOUT + 1)
    err = _fail(client, _url(upstream))
    assert err.kind == "timeout", str(err)
    assert _attempts(upstream) == 1  # a body that stalls is not asked for again
