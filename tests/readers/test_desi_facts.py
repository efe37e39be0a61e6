"""DESI facts reader → editions apart from data years, both record shapes, bad records named, real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from pipelines.readers import desi_facts as facts
from pipelines.readers import detect_format, read_file
from pipelines.readers.base import OBS_COLUMNS, ReaderError
from pipelines.warehouse import Payload, choose_latest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "desi"
PROFILE = FIXTURES / "dd_desi2026_country_profile_facts.first3.json"
NOTES = FIXTURES / "dd_desi_extra_notes_facts.first2.json"


def _records(path: Path) -> list[dict]:
    return [r["fields"] for r in json.loads(path.read_bytes())]


def _as_csv(records: list[dict]) -> str:
    """The platform's CSV export layout, written from real records (codes unwrapped from their lists)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[*facts.CSV_HEADER, "remarks"], lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow({k: (r.get(k)[0] if isinstance(r.get(k), list) else r.get(k)) for k in w.fieldnames})
    return buf.getvalue()


def test_excerpt_reads_with_editions_apart_from_data_years():
    result = read_file(PROFILE)
    assert detect_format(PROFILE) == "desi-facts" and result.format == "desi-facts"
    obs = result.observations.set_index(["geo", "series_key"])
    assert list(result.observations.columns) == OBS_COLUMNS
    be = obs.loc[("BE", "breakdown=ind_total|indicator=desi_dsk_bab|unit=pc_ind")]
    assert (be["period"], be["edition"], be["value"]) == ("2025", "desi_2026", 61.22)
    target = obs.loc[("EU", "breakdown=dd_target_2030|indicator=desi_dsk_bab|unit=pc_ind")]
    assert (target["period"], target["value"]) == ("2030", 80.0) and pd.isna(target["edition"])
    assert result.upstream_updated == "2026-04-08T09:39:11.712Z"  # the latest record update
    assert result.partial and result.source == "desi" and result.dataset == "desi_facts"


def test_records_without_a_data_year_keep_their_edition_code_as_period():
    result = read_file(NOTES)
    assert set(result.observations["period"]) == {"desi_2023"}
    assert set(result.observations["edition"]) == {"desi_2023"}
    assert any("no data year" in n for n in result.notes)


def test_csv_export_and_json_records_read_the_same(tmp_path):
    records = _records(PROFILE) + _records(NOTES)
    path = tmp_path / "facts.csv"
    path.write_text(_as_csv(records), encoding="utf-8")
    assert detect_format(path) == "desi-facts"
    from_csv = read_file(path).observations.drop(columns="upstream_updated")
    joined = tmp_path / "facts.json"
    joined.write_text(json.dumps(records), encoding="utf-8")
    from_json = read_file(joined).observations.drop(columns="upstream_updated")
    pd.testing.assert_frame_equal(from_csv, from_json)


def test_a_later_edition_of_the_same_data_year_wins(tmp_path):
    older, newer = (dict(_records(PROFILE)[2]) for _ in range(2))
    older.update(period=["desi_2025"], value=1.0)  # synthetic: the same BE 2025 value in another edition
    path = tmp_path / "two_editions.json"
    path.write_text(json.dumps([older, newer]), encoding="utf-8")
    result = read_file(path)
    assert result.observations[["edition", "value"]].values.tolist() == [["desi_2026", 61.22]]
    assert any("later edition" in n for n in result.notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period": ["2025-ish"]}, "record 1: period '2025-ish'"),
        ({"reference_period": "last year"}, "record 1: reference_period 'last year'"),
        ({"value": "n/a"}, "record 1: value 'n/a' is not a number"),
        ({"country": [""]}, "record 1: empty country"),
        ({"value": None, "flags": ""}, "record 1: neither a value nor a flag"),
        ({"flags": "b c!"}, "record 1: flags 'b c!'"),
    ],
)
def test_bad_records_are_named(tmp_path, change, message):
    record = {**_records(PROFILE)[1], **change}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(ReaderError, match=message) as exc:
        facts.read(path)
    assert "bad.json" in str(exc.value)


def test_csv_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("period,country,indicator,breakdown,unit,value\ndesi_2026,BE,desi_ai,x,pc_ent,1\n")
    with pytest.raises(ReaderError, match="missing column"):
        facts.read(path)


def test_two_record_files_of_one_database_are_unioned_not_superseded():
    payloads = [Payload(read_file(p), p.name, p.name, p.stat().st_size, pd.Timestamp.now(tz="UTC"))
                for p in (PROFILE, NOTES)]  # fmt: skip
    kept, dropped = choose_latest(payloads)
    assert dropped == [] and len(kept) == 1
    assert len(kept[0].result.observations) == 5
    assert kept[0].location == f"{PROFILE.name}; {NOTES.name}"


def test_real_files_read_whole(raw_dir):
    profile = read_file(raw_dir / "desi" / "dd_desi2026_country_profile_facts.django_fixture.json")
    obs = profile.observations
    assert len(obs) == 677
    genai = obs[(obs["geo"] == "BE") & obs["series_key"].str.contains("indicator=desi_genai")]
    assert genai[["period", "value", "edition"]].values.tolist() == [["2025", 42.01, "desi_2026"]]
    targets = obs[obs["series_key"].str.startswith("breakdown=dd_target_2030")]
    assert len(targets) == 14 and set(targets["geo"]) == {"EU"}
    notes = read_file(raw_dir / "desi" / "dd_desi_extra_notes_facts.django_fixture.json").observations
    assert set(notes["edition"]) == {f"desi_{y}" for y in range(2018, 2024)}
