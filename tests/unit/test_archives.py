"""Hostile archives: zip and gzip bombs, and zip members that point outside the archive, are refused."""

import gzip
import zipfile

import pytest

from pipelines import raw_cache
from pipelines.readers import ReaderError, read_file


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name", ["../../outside.txt", "/etc/passwd.txt", "sub/../../x.txt", "C:/windows/x.txt"]
)
def test_zip_member_pointing_outside_is_refused(tmp_path, name):
    f = _zip(tmp_path / "statbel.zip", {name: b"CD_REFNIS|MS_POPULATION\r\n11001|1\r\n"})
    with pytest.raises(ReaderError, match="points outside the archive") as exc:
        read_file(f)
    assert str(f) in str(exc.value)


def test_import_of_a_traversal_zip_writes_nothing_outside_the_raw_cache(tmp_path):
    upstream = tmp_path / "in"
    upstream.mkdir()
    _zip(upstream / "evil.zip", {"../../escaped.txt": b"CD_REFNIS|MS_POPULATION\r\n11001|1\r\n"})
    raw = tmp_path / "deep" / "raw"
    [outcome] = raw_cache.import_files([upstream], raw)
    assert outcome.status == "failed" and "outside the archive" in outcome.error
    assert not list(tmp_path.rglob("escaped.txt"))


def test_zip_bomb_is_refused(tmp_path):
    # 60 MB of zeros deflate to about 60 KB: a ratio no statistical file has.
    f = _zip(tmp_path / "bomb.zip", {"TF_X_2022.txt": b"\0" * (60 * 1024**2)})
    with pytest.raises(ReaderError, match="zip bomb"):
        read_file(f)


def test_gzip_bomb_is_refused(tmp_path):
    f = tmp_path / "estat_bomb.tsv.gz"
    with gzip.open(f, "wb", compresslevel=9) as fh:
        fh.write(b"freq,unit,geo\\TIME_PERIOD\t2020 \n")
        for _ in range(80):
            fh.write(b"\0" * (1024**2))
    with pytest.raises(ReaderError, match="gzip bomb"):
        read_file(f)


def test_ordinary_archives_pass(tmp_path):
    f = tmp_path / "estat_ok.tsv.gz"
    f.write_bytes(gzip.compress(b"freq,unit,geo\\TIME_PERIOD\t2020 \nA,PC,BE\t1.5 p\n"))
    result = read_file(f)
    assert result.observations["value"].tolist() == [1.5]
