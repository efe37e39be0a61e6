"""Every export a reader opens (XLSX long and wide, CSV for Excel and its metadata, the PDF pack), in every
language but English → no English word, no decimal point, no ISO date (tests/telltales.py).

The standard CSV is for machines: its headers are the codes and its numbers use a decimal point on purpose,
so only its metadata sidecar (which a person reads) is checked. Charts are checked, SVG by SVG, in
tests/integration/test_chart_layout.py. Texts that exist only in English where they come from (publishers'
dataset titles, analysts' notes) are taken out first, as the page test does.
"""

from __future__ import annotations

import io
import shutil
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from indicators.catalog import load_indicators
from indicators.vocabulary import LANGS
from pipelines.warehouse import connect_read_only
from presentation import data_exports
from tests.integration.test_language_telltales import english_originals, without
from tests.telltales import in_context

OTHER_LANGS = [lang for lang in LANGS if lang != "en"]
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


@pytest.fixture(scope="module")
def con(snapshot_warehouse):
    c = connect_read_only(snapshot_warehouse)
    yield c
    c.close()


@pytest.fixture(scope="module")
def originals(snapshot_warehouse) -> list[str]:
    return english_originals(snapshot_warehouse)


def _xlsx_texts(body: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    # Numbers stay numbers in a workbook (Excel writes them in the reader's locale); text cells are read.
    texts = [ws.title for ws in book.worksheets]
    texts += [
        c
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    return texts


def _files_texts(found: dict[str, bytes]) -> list[str]:
    texts = []
    for name, body in found.items():
        if name.endswith(".xlsx"):
            texts += _xlsx_texts(body)
        elif name.endswith("-metadata.txt") or name.endswith("-excel.csv"):
            texts += body.decode("utf-8-sig").splitlines()
    return texts


def _findings(texts: list[str], lang: str, originals: list[str]) -> list[str]:
    return [f for text in texts for f in in_context(without(text, originals), lang)]


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_indicators_data_exports_are_in_the_readers_language(con, originals, lang):
    found, exported = [], 0
    for ind in load_indicators():
        try:
            shown = data_exports.indicator_shown(con, ind.id, lang, geos=["BE", "EU27_2020", "EU", "FR"])
        except KeyError:
            continue  # no data in the bundled snapshot: nothing to export
        if shown.values.empty:
            continue
        exported += 1
        # The XLSX long and the CSV for Excel wide: the other two hold the same words in another layout.
        for fmt, wide in (("xlsx", False), ("csv-excel", True)):
            texts = _files_texts(data_exports.files(shown, lang, fmt, ind.id, wide))
            found += [
                f"{ind.id} {fmt}{' wide' if wide else ''}: {f}" for f in _findings(texts, lang, originals)
            ]
        metadata = data_exports.files(shown, lang, "csv", ind.id)[f"{ind.id}-metadata.txt"].decode()
        found += [f"{ind.id} csv metadata: {f}" for f in _findings(metadata.splitlines(), lang, originals)]
    assert exported >= 20, "almost nothing was exported: the walk over the catalogue is broken"
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_app_download_is_a_zip_of_the_csv_and_its_metadata(con):
    shown = data_exports.indicator_shown(con, "ai_enterprises", "fr", geos=["BE"])
    with zipfile.ZipFile(io.BytesIO(data_exports.download_bytes(shown, "fr", "csv-excel", "ai"))) as z:
        assert sorted(z.namelist()) == ["ai-excel-metadata.txt", "ai-excel.csv"]


@needs_chromium
@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_the_pdf_pack_is_in_the_readers_language(pack_pdf, originals, lang):
    pdf = PdfReader(io.BytesIO(pack_pdf(lang)))
    # One text per page, lines joined as a reader reads them ("Big" at a line's end, "Data" on the next).
    texts = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    assert sum(len(text) for text in texts) > 5000
    found = _findings(texts, lang, originals)
    assert not found, "\n".join(found)
