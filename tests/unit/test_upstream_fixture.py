"""tests/fixtures/upstream excerpts, ../shared → each kept line, record or file is upstream's bytes."""

import gzip
import json

import pytest

from tests.conftest import SHARED, UPSTREAM_FIXTURE

DATA = SHARED / "data"
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"{DATA} absent: nothing to compare the excerpts with"
)


def _text(path):
    data = path.read_bytes()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")


def _is_subsequence(kept: list[str], real: list[str]) -> bool:
    it = iter(real)
    return all(any(line == r for r in it) for line in kept)


EXCERPTS = sorted((UPSTREAM_FIXTURE / "raw" / "eurostat").iterdir())


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda p: p.name)
def test_eurostat_excerpt_is_lines_of_the_real_file_in_order(excerpt):
    real = DATA / "raw" / "eurostat" / excerpt.name
    if not real.exists():
        real = real.with_name(real.name + ".gz")
    kept = excerpt.read_bytes().decode("utf-8").splitlines(keepends=True)
    lines = _text(real).splitlines(keepends=True)
    assert kept[0] == lines[0] and len(kept) > 1
    assert _is_subsequence(kept[1:], lines[1:])


def test_desi_records_are_the_real_records():
    name = "dd_desi2026_country_profile_facts.django_fixture.json"
    excerpt = (UPSTREAM_FIXTURE / "raw" / "desi" / name).read_bytes().decode("utf-8")
    real = (DATA / "raw" / "desi" / name).read_bytes().decode("utf-8")
    records = excerpt.removeprefix("[\n").removesuffix("\n]\n").split(",\n{\n")
    records = [r if r.startswith("{\n") else "{\n" + r for r in records]
    assert len(records) == len(json.loads(excerpt)) > 1
    assert all(r + ",\n" in real or r + "\n]" in real for r in records)


def test_recordings_are_whole_files_or_toc_lines():
    for f in (UPSTREAM_FIXTURE / "recordings" / "eurostat_sdmx3").iterdir():
        assert f.read_bytes() == (DATA / "recordings" / "eurostat_sdmx3" / f.name).read_bytes()
    toc = "eurostat_toc/table_of_contents_en.txt"
    kept = _text(UPSTREAM_FIXTURE / "recordings" / toc).splitlines(keepends=True)
    assert _is_subsequence(kept, _text(DATA / "recordings" / toc).splitlines(keepends=True))
