"""Format detection: content decides, not the file name; bad input names the file."""

import gzip

import openpyxl
import pytest

from pipelines.readers import ReaderError, detect_format


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.txt", b"DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE\n", "sdmx-csv"),
        ("a.dat", b"STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq\n", "sdmx-csv"),
        ("a.csv", b"freq,unit,geo\\TIME_PERIOD\t2020 \t2021 \nA,PC,BE\t1 \t2 \n", "eurostat-tsv"),
        ("a.csv", b"unit,geo\\time\t2020 \nPC,BE\t1 \n", "eurostat-tsv"),
        ("a.bin", b'{"version":"2.0","class":"dataset","value":{}', "jsonstat"),
    ],
)
def test_detects_by_content(tmp_path, name, content, expected):
    f = tmp_path / name
    f.write_bytes(content)
    assert detect_format(f) == expected


def test_gzipped_tsv_detected_whatever_the_name(tmp_path):
    f = tmp_path / "download.csv"
    f.write_bytes(gzip.compress(b"freq,unit,geo\\TIME_PERIOD\t2020 \nA,PC,BE\t1 \n"))
    assert detect_format(f) == "eurostat-tsv"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "HTML page"),
        (b'{"error":[{"status":400,"id":150}]}', "not a JSON-stat"),
        (b"just,some,csv\n1,2,3\n", "unrecognised"),
    ],
)
def test_bad_content_names_the_file(tmp_path, content, needle):
    f = tmp_path / "isoc_eb_ai.csv"
    f.write_bytes(content)
    with pytest.raises(ReaderError) as exc:
        detect_format(f)
    assert str(f) in str(exc.value)
    assert needle in str(exc.value)


def test_truncated_gzip_names_the_file(tmp_path):
    f = tmp_path / "estat_x.tsv.gz"
    f.write_bytes(gzip.compress(b"freq,unit,geo\\TIME_PERIOD\t2020 \n" * 2000)[:40])
    with pytest.raises(ReaderError, match="truncated gzip") as exc:
        detect_format(f)
    assert str(f) in str(exc.value)


def test_unknown_workbook_names_the_file(tmp_path):
    f = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Whatever"
    wb.save(f)
    with pytest.raises(ReaderError, match="neither") as exc:
        detect_format(f)
    assert str(f) in str(exc.value)
