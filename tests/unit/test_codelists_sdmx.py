"""SDMX-ML parser on Eurostat's real bytes; `aiplan codelists fetch` against a local server serving them."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipelines.codelists import fetch, sdmx_ml
from pipelines.http import Client
from pipelines.settings import get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eurostat_sdmx_ml"
FREQ = FIXTURES / "ESTAT_FREQ_3.9.xml"
SIZE_EMP = FIXTURES / "ESTAT_SIZE_EMP_7.0.excerpt.xml"
DSD = FIXTURES / "ESTAT_ISOC_CISCE_RA_41.0.xml"


def names_by_regex(path: Path) -> dict[tuple[str, str], str]:
    """(code, lang) → name, read with a regular expression: independent of the parser under test."""
    text = path.read_text(encoding="utf-8")
    out = {}
    for code, body in re.findall(r'<s:Code id="([^"]+)"[^>]*>(.*?)</s:Code>', text):
        for lang, name in re.findall(r'<c:Name xml:lang="(\w+)">([^<]*)</c:Name>', body):
            out[(code, lang)] = name
    return out


@pytest.mark.parametrize("path", [FREQ, SIZE_EMP], ids=lambda p: p.name)
def test_every_language_of_every_code_is_read(path):
    got = {(n.code, n.lang): n.text for n in sdmx_ml.codelists(path.read_bytes()) if n.code is not None}
    expected = names_by_regex(path)
    assert got == expected
    assert {lang for _, lang in got} == {"en", "fr", "de"}


def test_size_class_names_as_eurostat_writes_them():
    names = {(n.code, n.lang): n.text for n in sdmx_ml.codelists(SIZE_EMP.read_bytes())}
    assert names[("10-49", "fr")] == "De 10 à 49 personnes employées"
    assert names[("GE10", "de")] == "10 Beschäftigte und mehr"
    # the code list's own name: what the dimension is called
    assert names[(None, "fr")] == "Classes de taille en nombre des personnes occupées"


def test_the_data_structure_names_each_dimensions_code_list():
    dims = sdmx_ml.dimensions(DSD.read_bytes())
    assert {d: str(r) for d, r in dims.items()} == {
        "freq": "ESTAT:FREQ(3.9)",
        "size_emp": "ESTAT:SIZE_EMP(7.0)",
        "nace_r2": "ESTAT:NACE_R2(17.0)",
        "indic_is": "ESTAT:INDIC_IS(25.2)",
        "unit": "ESTAT:UNIT(69.0)",
        "geo": "ESTAT:GEO(26.0)",
    }


def test_sdmx_2_1_references_are_read_too():
    # SDMX 2.1 names the code list with a <Ref/> element, not a URN (the 2.1 schema's shape; synthetic).
    xml = b"""<m:Structure xmlns:m="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
      xmlns:s="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"><m:Structures><s:DataStructures>
      <s:DataStructure id="X"><s:DataStructureComponents><s:DimensionList><s:Dimension id="dim_x">
      <s:LocalRepresentation><s:Enumeration><Ref agencyID="AG" id="CL_X" version="9.9" class="Codelist"/>
      </s:Enumeration></s:LocalRepresentation></s:Dimension></s:DimensionList></s:DataStructureComponents>
      </s:DataStructure></s:DataStructures></m:Structures></m:Structure>"""
    assert {d: str(r) for d, r in sdmx_ml.dimensions(xml).items()} == {"dim_x": "AG:CL_X(9.9)"}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"<html><body>maintenance</body></html>", "expected an SDMX 'Structure'"),
        (b"not xml at all", "not XML"),
        (DSD.read_bytes(), "no Codelist"),
    ],
)
def test_bad_bytes_raise_an_error_naming_the_source(data, fragment):
    with pytest.raises(sdmx_ml.StructureError, match=fragment) as err:
        sdmx_ml.codelists(data, "answer.xml")
    assert "answer.xml" in str(err.value)


# --- the fetch tool, against a local server serving the real bytes -------------------------------------


class _Eurostat(BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen.append(self.path)
        body = self.routes.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/xml" if body else "text/plain")
        body = body or b"No results found"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def eurostat():
    api = "/eurostat/api/dissemination/sdmx/2.1"
    _Eurostat.routes = {
        f"{api}/datastructure/ESTAT/ISOC_CISCE_RA/latest": DSD.read_bytes(),
        f"{api}/codelist/ESTAT/FREQ/3.9": FREQ.read_bytes(),
        # gzipped without a Content-Encoding header, as Eurostat does when it may
        f"{api}/codelist/ESTAT/SIZE_EMP/7.0": gzip.compress(SIZE_EMP.read_bytes()),
    }
    _Eurostat.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Eurostat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/eurostat/api/dissemination"
    settings = dataclasses.replace(get_settings(), eurostat_url=base)
    client = Client(settings)
    yield client, base
    client.close()
    server.shutdown()


def test_fetch_asks_the_structure_then_each_code_list_and_keeps_every_language(eurostat, tmp_path):
    client, base = eurostat
    rows, errors = fetch.fetch(client, ["isoc_cisce_ra"], base)
    labels = {(r.dimension, r.code, r.lang): r.label for r in rows}
    expected = names_by_regex(SIZE_EMP)
    assert {(c, lg): labels[("size_emp", c, lg)] for c, lg in expected} == expected
    assert labels[("freq", "A", "fr")] == names_by_regex(FREQ)[("A", "fr")]
    assert labels[("dimension", "size_emp", "de")] == "Größenklassen (Anzahl) der Beschäftigten"
    # the code lists this server does not have are reported, named, and the rest is kept
    assert sorted(e.split(":")[0] + ":" + e.split(":")[1].split("(")[0] for e in errors) == [
        "ESTAT:GEO", "ESTAT:INDIC_IS", "ESTAT:NACE_R2", "ESTAT:UNIT",
    ]  # fmt: skip
    evidence = {r.evidence for r in rows if r.dimension == "size_emp"}
    assert evidence == {f"ESTAT:SIZE_EMP(7.0) <{base}/sdmx/2.1/codelist/ESTAT/SIZE_EMP/7.0>"}

    out = tmp_path / "labels.csv"
    n = fetch.write(rows, out)
    with out.open(encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert list(written[0]) == ["dimension", "code", "lang", "label", "origin", "evidence"]
    assert len(written) == n == len({(r.dimension, r.code, r.lang) for r in rows})
    assert {r["origin"] for r in written} == {"publisher"}


def test_fetch_with_a_dead_structure_writes_nothing_and_says_why(eurostat, tmp_path):
    client, base = eurostat
    out = tmp_path / "labels.csv"
    n, errors = fetch.run(out, snapshot_dir=tmp_path, client=client, base=base + "/nowhere")
    assert n == 0 and not out.exists()
    assert errors[-1] == "no code list answered: nothing written"
    assert any("isoc_cisce_ra" in e and "unknown_dataset" in e for e in errors)
