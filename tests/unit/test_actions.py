"""The plan's action lines and dated events (indicators/actions.yaml, events.yaml): the register validates,
every status but unknown rests on dated evidence, a bad entry is named by file and key, `aiplan actions`."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from aiplan.cli import main
from indicators.actions import ACTIONS_FILE, EVENTS_FILE, load_actions, load_events
from indicators.catalog import CatalogError, load_indicators
from indicators.vocabulary import ACTION_STATUSES

RAW = yaml.safe_load(ACTIONS_FILE.read_text(encoding="utf-8"))


def test_the_register_validates_with_its_links_to_the_catalogue():
    lines = load_actions(indicator_ids={i.id for i in load_indicators()})
    assert len(lines) == len(RAW)
    assert len(lines) >= 25
    # Spread over the objectives public sources itemise (none for 6 and 7), plus the governance lines.
    assert {x.group for x in lines} >= {"1", "2", "3", "4", "5", "8", "9", "G"}
    assert all(x.status in ACTION_STATUSES for x in lines)


def test_every_status_but_unknown_has_dated_evidence_in_the_file():
    """Read from the YAML itself (not the model): a status with no evidence, an evidence with no date, or a
    status date that is no evidence's date fails here."""
    known = [e for e in RAW if e.get("status", "unknown") != "unknown"]
    assert known, "the register documents no status at all"
    for entry in known:
        evidence = entry.get("evidence") or []
        assert evidence, f"{entry['id']}: status {entry['status']} without evidence"
        for ev in evidence:
            assert isinstance(ev.get("date"), date), f"{entry['id']}: evidence without a date: {ev}"
            assert str(ev.get("url", "")).startswith("https://"), f"{entry['id']}: evidence without a URL"
        assert entry.get("status_date") in {ev["date"] for ev in evidence}, entry["id"]
    for entry in RAW:
        if entry.get("status", "unknown") == "unknown":
            assert "status_date" not in entry, f"{entry['id']}: a date for a status nobody evidenced"


def _write(tmp_path, entries) -> object:
    path = tmp_path / "actions.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def _entry(ident: str, **extra) -> dict:
    return next(e for e in RAW if e["id"] == ident) | extra


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"evidence": [{"url": "https://example.org/x", "date": "not a date", "kind": "press"}]},
         "1.d.evidence.0.date", "date"),
        ({"evidence": []}, "1.d.evidence", "needs dated evidence"),
        ({"status_date": date(2020, 1, 1)}, "1.d.status_date", "none of its evidence"),
        ({"status": "finished"}, "1.d.status", "Input should be"),
        ({"status": "superseded"}, "1.d.successor", "names the line that replaces it"),
        ({"indicators": ["no_such_indicator"]}, "1.d.indicators.0", "unknown indicator"),
        ({"objective": 2}, "1.d.objective", "names objective 1"),
        ({"colour": "red"}, "1.d.colour", "unknown key"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_named_by_file_and_key(tmp_path, change, key, words):
    path = _write(tmp_path, [_entry("1.a"), _entry("1.d", **change)])
    with pytest.raises(CatalogError) as exc:
        load_actions(path, indicator_ids={i.id for i in load_indicators()})
    text = str(exc.value)
    assert f"{path}: {key}:" in text, text
    assert words in text


def test_an_unknown_status_with_a_date_is_refused(tmp_path):
    path = _write(tmp_path, [_entry("1.a", status_date=date(2024, 1, 1))])
    with pytest.raises(CatalogError, match=r"actions\.yaml: 1\.a\.status_date:"):
        load_actions(path)


def test_aiplan_check_names_the_file_and_key_of_a_bad_register(tmp_path, monkeypatch, capsys):
    bad = _entry("1.d", evidence=[{"url": "https://example.org/x", "kind": "press"}])
    monkeypatch.setenv("AIPLAN_ACTIONS_FILE", str(_write(tmp_path, [bad])))
    assert main(["check"]) == 2
    assert f"{tmp_path / 'actions.yaml'}: 1.d.evidence.0.date: Field required" in capsys.readouterr().err


def test_the_shipped_register_is_named_relative_to_the_repository(monkeypatch):
    monkeypatch.delenv("AIPLAN_ACTIONS_FILE", raising=False)
    assert load_actions()  # and when it fails, its problems say indicators/actions.yaml (see _shown)


FIELDS = {"id", "objective", "title", "wording", "sources", "lead", "status", "status_date", "evidence",
          "indicators", "confidence", "successor", "note"}  # fmt: skip


def test_aiplan_actions_json_lists_every_line_with_every_field(capsys):
    assert main(["actions", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert [x["id"] for x in lines] == [e["id"] for e in sorted(RAW, key=_plan_order)]
    assert len(lines) >= 25
    for line in lines:
        assert set(line) == FIELDS
        assert set(line["title"]) == {"en", "fr", "nl", "de"}
        if line["status"] != "unknown":
            assert line["evidence"] and all(date.fromisoformat(e["date"]) for e in line["evidence"])
            assert line["status_date"] in {e["date"] for e in line["evidence"]}


def _plan_order(entry: dict) -> tuple[int, str]:
    group, letter = entry["id"].split(".")
    return (10 if group == "G" else int(group), letter)


def test_aiplan_actions_objective_filter_and_text(capsys):
    assert main(["actions", "--objective", "1", "--json"]) == 0
    ones = json.loads(capsys.readouterr().out)
    assert ones and {x["objective"] for x in ones} == {1}
    assert len(ones) == sum(1 for e in RAW if e["id"].startswith("1."))
    assert main(["actions", "--objective", "1", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "Doelstelling 1" in out and "uitgevoerd" in out and "1.d" in out and "2.a" not in out
    assert main(["actions", "--objective", "12"]) == 2


def test_events_are_in_date_order_with_a_source_and_known_objectives():
    raw = yaml.safe_load(EVENTS_FILE.read_text(encoding="utf-8"))
    events = load_events()
    assert len(events) == len(raw)
    assert [e.date for e in events] == sorted(e["date"] for e in raw)
    assert {e.id for e in events} >= {"plan_approved", "ethics_committee_decree", "ethics_committee_members",
                                      "ai_act", "ai_act_prohibitions", "responsible_ai_charter"}  # fmt: skip
    days = {e.id: e.date for e in events}
    assert days["plan_approved"] == date(2022, 10, 28) and days["responsible_ai_charter"] == date(2025, 7, 11)


def test_a_bad_event_is_named_by_file_and_key(tmp_path):
    raw = yaml.safe_load(EVENTS_FILE.read_text(encoding="utf-8"))
    raw[0]["objectives"] = [1, 12]
    del raw[1]["source"]
    path = tmp_path / "events.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_events(path)
    assert f"{path}: plan_approved.objectives.1: no objective 12" in str(exc.value)
    assert f"{path}: digital_decade.source: Field required" in str(exc.value)
