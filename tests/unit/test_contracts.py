"""Typed contracts: the committed JSON Schema, the CLI's JSON against it, and rows refused at the boundary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import jsonschema
import pytest
from pydantic import ValidationError

from aiplan import cli
from pipelines import reports
from pipelines.contracts import Card, IndicatorEntry, Scorecard, scorecard_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "pipelines" / "scorecard.schema.json"
NARRATIVE = ROOT / "presentation" / "narrative.py"


def test_committed_schema_is_the_generated_one():
    assert SCHEMA.read_text(encoding="utf-8") == cli.schema_text(), (
        "pipelines/scorecard.schema.json is stale: "
        "run `aiplan scorecard --schema > pipelines/scorecard.schema.json`"
    )


def test_schema_is_valid_draft_2020_12_and_refuses_unknown_statuses():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    status = schema["$defs"]["IndicatorEntry"]["properties"]["status"]
    assert set(status["enum"]) == {"target_met", "on_track", "moderate", "insufficient", "moving_away",
                                   "insufficient_data"}  # fmt: skip


@pytest.mark.parametrize(("geo", "lang"), [("BE", "en"), ("BE", "fr"), ("NL", "en"), ("BE2", "nl")])
def test_cli_json_validates_against_the_published_schema(snapshot_env, capsys, geo, lang):
    assert cli.main(["scorecard", "--json", "--geo", geo, "--lang", lang]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(doc)
    assert (doc["geo"], doc["lang"]) == (geo, lang)


def test_a_document_missing_a_field_fails_the_schema():
    schema = scorecard_schema()
    doc = {"version": 3, "geo": "BE", "lang": "en", "built_at": None, "built_from": None, "objectives": []}
    with pytest.raises(jsonschema.ValidationError, match="'data' is a required property"):
        jsonschema.validate(doc, schema)


def test_stored_cards_dump_as_stored(snapshot_warehouse):
    """Every card in the warehouse comes out with the same keys, values and order it was stored with."""
    with duckdb.connect(str(snapshot_warehouse), read_only=True) as con:
        texts = [
            c for (c,) in con.execute("SELECT card FROM assessments WHERE geo IN ('BE', 'BE2')").fetchall()
        ]
    assert texts
    for text in texts:
        stored = json.loads(text)
        assert json.dumps(Card.model_validate(stored).model_dump(mode="json")) == json.dumps(stored)


def test_scorecard_round_trips_through_its_model(snapshot_warehouse):
    with duckdb.connect(str(snapshot_warehouse), read_only=True) as con:
        card = reports.scorecard(con, "BE", "en")
    assert Scorecard.model_validate_json(card.to_json()).to_json() == card.to_json()


ENTRY = {"id": "x", "title": "X", "unit": "pc_enterprises", "direction": "increase", "data": "available",
         "status": "on_track"}  # fmt: skip


def test_status_outside_the_vocabulary_fails_naming_the_field():
    with pytest.raises(ValidationError) as err:
        IndicatorEntry.model_validate(ENTRY | {"status": "doing_fine"})
    assert err.value.errors()[0]["loc"] == ("status",)
    assert "status" in str(err.value) and "doing_fine" in str(err.value)


def test_malformed_card_in_a_row_fails_naming_the_card_field():
    card = {"method": "eurostat_sdg", "status": "insufficient_data", "pace": "exponential"}
    with pytest.raises(ValidationError) as err:
        IndicatorEntry.model_validate(ENTRY | {"card": card})
    assert err.value.errors()[0]["loc"] == ("card", "pace")


def test_unknown_key_is_refused():
    with pytest.raises(ValidationError, match="colour"):
        IndicatorEntry.model_validate(ENTRY | {"colour": "green"})


def test_nan_becomes_none_at_the_boundary():
    entry = IndicatorEntry.model_validate(ENTRY | {"value": float("nan"), "eu_value": float("inf")})
    assert entry.value is None and entry.eu_value is None


def test_narrative_reads_attributes_not_dict_keys():
    source = NARRATIVE.read_text(encoding="utf-8")
    assert not re.search(r"\.get\(|\b_num\(", source)
