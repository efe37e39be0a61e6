"""The local upstream itself → real bytes (cut by whole lines, never rewritten), recorded answers, faults."""

import gzip
import json
import socket

import pytest
import requests

from indicators.catalog import load_indicators
from pipelines.live import eurostat
from tests.upstream import recordings
from tests.upstream.server import LocalUpstream


@pytest.fixture(scope="module")
def upstream(raw_dir):
    with LocalUpstream(raw_dir) as up:
        yield up


@pytest.fixture(autouse=True)
def _clean(upstream):
    upstream.reset()
    yield
    upstream.reset()


IDENTITY = {"Accept-Encoding": "identity"}


def _plan(dataset):
    return next(r for r in eurostat.plan(load_indicators()) if r.dataset == dataset)


def _slice(upstream, dataset, headers=IDENTITY):
    return requests.get(
        eurostat.slice_url(upstream.url("eurostat"), _plan(dataset)), headers=headers, timeout=5
    )


def _raw_get(upstream, path: str, accept: str = "identity") -> bytes:
    """The answer as it crosses the wire (headers and chunk framing included)."""
    with socket.create_connection(("127.0.0.1", upstream.port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept}\r\n\r\n".encode())
        chunks = []
        while data := s.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_toc_is_the_recorded_one_with_only_the_edited_field_changed(upstream, raw_dir):
    recorded = (raw_dir.parent / "recordings" / "eurostat_toc" / "table_of_contents_en.txt").read_bytes()
    assert (
        requests.get(eurostat.toc_url(upstream.url("eurostat")), headers=IDENTITY, timeout=5).content
        == recorded
    )
    upstream.set_updated("nrg_ind_ren", "2026-03-15")
    edited = requests.get(eurostat.toc_url(upstream.url("eurostat")), headers=IDENTITY, timeout=5).content
    old, new = recorded.decode().splitlines(), edited.decode().splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed and all('"nrg_ind_ren"' in a for a, _ in changed)
    for a, b in changed:
        diff = [i for i, (x, y) in enumerate(zip(a.split("\t"), b.split("\t"), strict=True)) if x != y]
        assert diff == [3] and b.split("\t")[3] == '"15.03.2026"'
    assert eurostat.parse_toc(edited)["nrg_ind_ren"] == "2026-03-15"


def test_slice_is_lines_of_the_real_file(upstream, raw_dir):
    body = _slice(upstream, "nrg_ind_ren").content.decode()
    real = (raw_dir / "eurostat" / "nrg_ind_ren.sdmx.csv").read_bytes().decode()
    real_lines = set(real.splitlines(keepends=True))
    lines = body.splitlines(keepends=True)
    assert lines[0] == real.splitlines(keepends=True)[0]
    assert all(line in real_lines for line in lines), "a line that is not in the real file was served"
    want = {line for line in real_lines if ",REN,PC,BE," in line}
    assert want <= set(lines) and len(want) > 10
    assert not any(",UK," in line for line in lines)  # only the geos asked


def test_tsv_dataset_is_answered_with_its_real_lines(upstream, raw_dir):
    body = _slice(upstream, "isoc_ci_in_h").content.decode()
    real = (raw_dir / "eurostat" / "estat_isoc_ci_in_h.tsv").read_bytes().decode()
    assert body.splitlines()[0] == real.splitlines()[0]
    assert set(body.splitlines()) <= set(real.splitlines())
    assert all(line.startswith("A,PC_HH,TOTAL,") for line in body.splitlines()[1:])


def test_dataset_without_real_csv_bytes_gets_its_real_file_whole(upstream, raw_dir):
    r = _slice(upstream, "isoc_eb_das")
    assert r.content == (raw_dir / "eurostat" / "isoc_eb_das_2025.jsonstat.json").read_bytes()


def test_data_answers_are_chunked_and_gzipped_without_saying_so_when_gzip_is_accepted(upstream):
    path = eurostat.slice_url("/eurostat", _plan("isoc_e_dii"))
    plain = _raw_get(upstream, path, "identity")
    head, _, body = plain.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
    assert b"Content-Encoding" not in head and b"STRUCTURE,STRUCTURE_ID" in body[:200]
    zipped = _raw_get(upstream, path, "gzip, deflate")
    head, _, body = zipped.partition(b"\r\n\r\n")
    assert b"Content-Encoding" not in head
    assert body.split(b"\r\n", 1)[1][:2] == b"\x1f\x8b"  # first chunk: gzip magic
    upstream.gzip = "always"
    assert _slice(upstream, "isoc_e_dii").content[:2] == b"\x1f\x8b"  # even with identity


def test_unknown_code_dimension_and_dataset_get_the_recorded_wordings(upstream, raw_dir):
    recorded = json.loads(
        recordings.find(
            raw_dir.parent / "recordings" / "eurostat_sdmx3", "TestImporterErrors.test_invalid_filter_value"
        ).body  # fmt: skip
    )["error"][0]["label"]
    upstream.withdraw("isoc_eb_ai", "indic_is", "E_AI_BEC")
    r = _slice(upstream, "isoc_eb_ai")
    label = r.json()["error"][0]["label"]
    assert (r.status_code, r.json()["error"][0]["id"]) == (400, 150)
    assert label.split("allowed:")[0] == recorded.split("allowed:")[0]
    assert label.endswith("allowed: INDIC_IS=E_AI_BEC.")
    base = upstream.url("eurostat")
    r = requests.get(
        f"{base}/sdmx/3.0/data/dataflow/ESTAT/nrg_ind_ren/1.0/*?c[nope]=X&format=csvdata", timeout=5
    )
    assert (r.status_code, r.json()["error"][0]["id"]) == (400, 140) and "NOPE" in r.text
    r = _slice(upstream, "trng_aes_100")  # no file of it in ../shared
    assert r.status_code == 404 and r.json()["error"][0]["label"] == "No results found"


def test_recorded_requests_are_replayed_byte_for_byte(upstream, raw_dir):
    folder = raw_dir.parent / "recordings" / "eurostat_sdmx3"
    seen = 0
    for rec in recordings.load(folder):
        r = requests.get(upstream.url("eurostat") + rec.path, headers=IDENTITY, timeout=5)
        assert (r.status_code, r.content) == (rec.status, rec.body), rec.cassette
        seen += 1
    assert seen >= 49


def test_bulk_is_the_real_file(upstream, raw_dir):
    r = requests.get(eurostat.bulk_url(upstream.url("eurostat"), "isoc_cicce_use"), timeout=5)
    assert r.content == (raw_dir / "eurostat" / "estat_isoc_cicce_use.tsv.gz").read_bytes()
    r = requests.get(eurostat.bulk_url(upstream.url("eurostat"), "isoc_ci_in_h"), timeout=5)
    assert gzip.decompress(r.content) == (raw_dir / "eurostat" / "estat_isoc_ci_in_h.tsv").read_bytes()


def test_revision_edits_one_value_field_of_one_line(upstream, raw_dir):
    before = _slice(upstream, "nrg_ind_ren").content.decode().splitlines()
    match = {"nrg_bal": "REN", "unit": "PC", "geo": "BE", "TIME_PERIOD": "2020"}
    old = upstream.revise("nrg_ind_ren", match, "13.5", "2026-03-15")
    after = _slice(upstream, "nrg_ind_ren").content.decode().splitlines()
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert old == "13" or float(old) == 13.0
    assert len(diff) == 1 and diff[0][1] == diff[0][0].replace(f",{old},", ",13.5,", 1)


def test_async_query_is_queued_then_served(upstream):
    key = upstream.make_async("nrg_ind_ren", "SUBMITTED", "PROCESSING", "AVAILABLE")
    first = _slice(upstream, "nrg_ind_ren")
    assert eurostat.parse_async(first.content) == (key, "SUBMITTED")
    base = upstream.url("eurostat")
    statuses = [eurostat.parse_async(requests.get(eurostat.async_status_url(base, key), timeout=5).content)[1]
                for _ in range(3)]  # fmt: skip
    assert statuses == ["SUBMITTED", "PROCESSING", "AVAILABLE"]
    data = requests.get(eurostat.async_data_url(base, key), headers=IDENTITY, timeout=5)
    assert data.content.startswith(b"DATAFLOW,LAST UPDATE,freq,nrg_bal")


def test_connect_timeout_fault_really_times_out_the_connect(upstream):
    """The redirect target's accept queue is full: requests raises ConnectTimeout, not a refusal."""
    with pytest.raises(requests.exceptions.ConnectTimeout):
        requests.get(f"http://127.0.0.1:{upstream.blackhole_port()}/x", timeout=(0.3, 1))


@pytest.mark.parametrize(
    ("kind", "status"),
    [("server_error", 500), ("rate_limited", 429), ("bad_request", 400), ("not_found", 404), ("too_big", 413),
     ("maintenance", 302)],
)  # fmt: skip
def test_error_faults_answer_with_their_status(upstream, kind, status):
    upstream.set_fault("nrg_ind_ren", kind)
    url = eurostat.slice_url(upstream.url("eurostat"), _plan("nrg_ind_ren"))
    r = requests.get(url, allow_redirects=False, timeout=5)
    assert r.status_code == status
    assert [r.fault for r in upstream.requests(dataset="nrg_ind_ren")] == [kind]


def test_fault_for_the_first_requests_only(upstream):
    upstream.set_fault("nrg_ind_ren", "unavailable", times=1, retry_after=7)
    first = _slice(upstream, "nrg_ind_ren")
    assert first.status_code == 503 and first.headers["Retry-After"] == "7"
    assert _slice(upstream, "nrg_ind_ren").status_code == 200
