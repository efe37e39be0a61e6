"""The fake upstream itself → Eurostat-format answers built from the real payloads, faults that bite."""

import gzip
import time

import pytest
import requests

from indicators.catalog import load_indicators
from pipelines.live import eurostat
from pipelines.readers import read_file
from tests.upstream.server import FakeUpstream


@pytest.fixture(scope="module")
def upstream(raw_dir):
    with FakeUpstream(raw_dir) as up:
        yield up


@pytest.fixture(autouse=True)
def _clean(upstream):
    upstream.reset()
    yield
    upstream.reset()


def _slice(upstream, dataset):
    req = next(r for r in eurostat.plan(load_indicators()) if r.dataset == dataset)
    return requests.get(eurostat.slice_url(upstream.url("eurostat"), req), timeout=5)


def test_toc_lists_every_dataset_with_its_date(upstream):
    upstream.set_updated("nrg_ind_ren", "2026-03-15")
    r = requests.get(eurostat.toc_url(upstream.url("eurostat")), timeout=5)
    assert r.status_code == 200 and r.text.startswith('"title"\t"code"\t"type"\t"last update of data"')
    toc = eurostat.parse_toc(r.text)
    assert set(upstream.raw.eurostat) <= set(toc)
    assert toc["nrg_ind_ren"] == "2026-03-15"
    assert toc["isoc_eb_ai"] == "2026-02-27"  # the JSON-stat payload's "updated"


def test_slice_is_sdmx_csv_of_the_real_rows(upstream, tmp_path):
    r = _slice(upstream, "nrg_ind_ren")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/vnd.sdmx.data+csv")
    header = r.text.split("\n", 1)[0]
    assert header == (
        "STRUCTURE,STRUCTURE_ID,ACTION,freq,nrg_bal,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS"
    )
    (tmp_path / "slice.csv").write_bytes(r.content)
    obs = read_file(tmp_path / "slice.csv", dataset="nrg_ind_ren").observations
    assert set(obs["series_key"]) == {"freq=A|nrg_bal=REN|unit=PC"}
    be = obs[(obs["geo"] == "BE") & (obs["period"] == "2020")]
    assert be["value"].tolist() == [13.0]
    assert "UK" not in set(obs["geo"])  # only the EU geos the catalogue asks for
    assert upstream.requests(route="slice")[-1].bytes == len(r.content)


def test_unknown_dataset_and_dimension_get_eurostat_errors(upstream):
    r = _slice(upstream, "trng_aes_100")
    assert r.status_code == 404
    assert r.json() == {"error": [{"status": 404, "id": 100, "label": "No results found"}]}
    base = upstream.url("eurostat")
    r = requests.get(
        f"{base}/sdmx/3.0/data/dataflow/ESTAT/nrg_ind_ren/1.0/*?c[nope]=X&format=csvdata", timeout=5
    )
    assert r.status_code == 400 and "INVALID_QUERY_DIMENSION" in r.text


def test_bulk_sends_the_real_file_or_a_gzipped_tsv(upstream, raw_dir, tmp_path):
    base = upstream.url("eurostat")
    r = requests.get(eurostat.bulk_url(base, "isoc_cicce_use"), timeout=5)
    assert r.content == (raw_dir / "eurostat" / "estat_isoc_cicce_use.tsv.gz").read_bytes()
    r = requests.get(eurostat.bulk_url(base, "nrg_ind_ren"), timeout=5)  # SDMX-CSV upstream: TSV made from it
    (tmp_path / "nrg_ind_ren.tsv.gz").write_bytes(r.content)
    assert gzip.decompress(r.content).startswith(b"freq,nrg_bal,unit,geo\\TIME_PERIOD\t")
    got = read_file(tmp_path / "nrg_ind_ren.tsv.gz", dataset="nrg_ind_ren").observations
    want = upstream.raw.eurostat["nrg_ind_ren"].observations
    cols = ["series_key", "geo", "period", "value", "obs_flag"]
    assert got[cols].equals(want[cols])


def test_revision_changes_one_value_and_the_toc_date(upstream, tmp_path):
    old = upstream.revise("nrg_ind_ren", {"nrg_bal": "REN", "unit": "PC"}, "BE", "2020", 13.5, "2026-03-15")
    assert old == 13.0
    (tmp_path / "s.csv").write_bytes(_slice(upstream, "nrg_ind_ren").content)
    obs = read_file(tmp_path / "s.csv", dataset="nrg_ind_ren").observations
    assert obs.loc[(obs["geo"] == "BE") & (obs["period"] == "2020"), "value"].tolist() == [13.5]
    upstream.reset()
    assert upstream.observations("nrg_ind_ren") is upstream.raw.eurostat["nrg_ind_ren"].observations


def test_connect_timeout_fault_really_times_out_the_connect(upstream):
    """The redirect target's accept queue is full: requests raises ConnectTimeout, not a refusal."""
    started = time.perf_counter()
    with pytest.raises(requests.exceptions.ConnectTimeout):
        requests.get(f"http://127.0.0.1:{upstream.blackhole_port()}/x", timeout=(0.3, 1))
    assert 0.25 < time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("server_error", 500),
        ("rate_limited", 429),
        ("bad_request", 400),
        ("not_found", 404),
        ("too_big", 413),
    ],
)
def test_error_faults_answer_with_their_status(upstream, kind, status):
    upstream.set_fault("nrg_ind_ren", kind)
    assert _slice(upstream, "nrg_ind_ren").status_code == status
    assert [r.fault for r in upstream.requests(dataset="nrg_ind_ren")] == [kind]


def test_fault_for_the_first_requests_only(upstream):
    upstream.set_fault("nrg_ind_ren", "unavailable", times=1, retry_after=7)
    first = _slice(upstream, "nrg_ind_ren")
    assert first.status_code == 503 and first.headers["Retry-After"] == "7"
    assert _slice(upstream, "nrg_ind_ren").status_code == 200
