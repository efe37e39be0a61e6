"""pipelines/codelists/labels.csv: one label per code and language, every origin honest, every code our data
show labelled in every language, and the file rebuilt exactly from its inputs."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from indicators.vocabulary import LANGS
from pipelines.codelists import build_labels
from pipelines.codelists.in_use import codes_in_use

ROOT = Path(__file__).resolve().parents[2]
CODELISTS = ROOT / "pipelines" / "codelists"
SNAPSHOT = ROOT / "data" / "snapshot"
SHARED = ROOT.parent / "shared"
# German is being added beside EN/FR/NL; the labels carry it already.
ALL_LANGS = sorted(set(LANGS) | {"de"})
HEADER = ["source", "dimension", "code", "lang", "label", "origin", "evidence"]


def rows(name: str = "labels.csv") -> list[dict[str, str]]:
    with (CODELISTS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def key(r: dict[str, str]) -> tuple[str, str, str, str]:
    return r["source"], r["dimension"], r["code"], r["lang"]


def test_header_one_label_per_code_and_language_no_blanks():
    with (CODELISTS / "labels.csv").open(encoding="utf-8") as fh:
        assert fh.readline().rstrip("\n").split(",") == HEADER
    table = rows()
    keys = [key(r) for r in table]
    assert len(keys) == len(set(keys))
    assert [r for r in table if any(not r[c].strip() for c in HEADER)] == []
    assert {r["origin"] for r in table} == {"publisher", "third_party", "ours"}


def test_dutch_is_never_claimed_from_eurostat():
    # Eurostat publishes EN, FR and DE only: a Dutch label is ours (or Statbel's, in the payloads).
    claimed = [r for r in rows() if r["lang"] == "nl" and r["origin"] != "ours"]
    assert claimed == []


def test_publisher_rows_name_their_file_and_third_party_rows_a_repository():
    for r in rows():
        if r["origin"] == "third_party":
            assert re.fullmatch(r"[\w.-]+/[\w.-]+:\S.*", r["evidence"]), r
        elif r["origin"] == "publisher" and r["source"] == "eurostat":
            code_list = re.fullmatch(r"ESTAT:[A-Z0-9_]+\([\d.]+\) (in \S+|<https?://\S+>)", r["evidence"])
            # a payload of ../shared/data/raw, by file name (isoc_eb_ai.sdmx.csv, …)
            payload = re.search(r"\b[a-z0-9_]+(\.[a-z0-9_-]+)*\.(csv|json|tsv|xlsx)\b", r["evidence"])
            assert code_list or payload, r


def test_third_party_labels_only_where_no_publisher_label_exists():
    publisher_en = {(r["source"], r["dimension"], r["code"]) for r in rows() if r["origin"] == "publisher"}
    extra = rows("eurostat_labels_extra.csv")
    covered = [r for r in extra if ("eurostat", r["dimension"], r["code"]) in publisher_en]
    assert covered == [], "hand-typed rows that a publisher file now gives: drop them from the extra file"


def test_publisher_file_has_french_and_german_for_each_english_label():
    pub = rows("publisher_eurostat.csv")
    by_code: dict[tuple[str, str], set[str]] = {}
    for r in pub:
        by_code.setdefault((r["dimension"], r["code"]), set()).add(r["lang"])
    assert {frozenset(v) for v in by_code.values()} == {frozenset({"en", "fr", "de"})}
    assert {r["origin"] for r in pub} == {"publisher"}


def test_every_translation_of_ours_is_used_and_french_spacing_is_right():
    built = {key(r): r["label"] for r in rows()}
    ours = rows("translations_ours.csv")
    assert [r for r in ours if built.get(key(r)) != r["label"]] == [], "ours shadowed by a publisher label"
    bad = [
        r["label"]
        for r in ours
        if r["lang"] == "fr" and re.search(r"(?<!\u00a0)[:;%»]|«(?!\u00a0)", r["label"])
    ]
    assert bad == [], "French puts a no-break space before : ; % » and after «"


def _snapshot_labels() -> set[tuple[str, str, str, str]]:
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT DISTINCT source, dimension, code, lang FROM read_parquet(?) WHERE dimension <> 'edition'",
            [str(SNAPSHOT / "labels.parquet")],
        ).fetchall()
    finally:
        con.close()
    return set(found)


def test_every_code_our_data_show_has_a_label_in_every_language():
    # Geo names come from the message catalogue (presentation/geo.py); Statbel's municipalities keep the
    # names Statbel gives them in Dutch and French.
    have = {key(r) for r in rows()} | _snapshot_labels()
    missing = sorted(
        (src, dim, code, lang)
        for src, dim, code in codes_in_use(SNAPSHOT)
        if dim != "geo"
        for lang in ALL_LANGS
        if (src, dim, code, lang) not in have
    )
    assert missing == []


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="needs ../shared/data (payloads, DESI metadata)")
def test_labels_file_is_rebuilt_exactly_from_its_inputs():
    english = build_labels.build(SHARED / "data" / "raw" / "eurostat")
    built = build_labels.build_all(english, SHARED / "data" / "recordings" / "desi_metadata", SNAPSHOT)
    committed = build_labels._read(CODELISTS / "labels.csv")
    assert committed.equals(built)


@pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="needs ../shared/data/recordings/desi_metadata")
def test_desi_names_are_the_commissions():
    desi = {(r["dimension"], r["code"]): r for r in rows() if r["source"] == "desi" and r["lang"] == "en"}
    # Read by eye in indicator.json / unit.json of the recorded DESI metadata.
    assert desi[("indicator", "desi_ai")]["label"] == "Artificial intelligence"
    assert desi[("unit", "pc_ent")]["label"] == "Percentage of enterprises"
    assert desi[("indicator", "desi_ai")]["evidence"] == "desi_metadata/indicator.json"
