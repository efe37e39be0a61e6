"""Eurostat answers (recorded errors and structures, TOC, async envelopes) → what the pipeline acts on."""

from __future__ import annotations

import gzip
import json

import pytest

from indicators.catalog import load_indicators
from pipelines.live import eurostat
from tests.upstream import recordings


@pytest.fixture(scope="module")
def cassettes(raw_dir):
    return raw_dir.parent / "recordings" / "eurostat_sdmx3"


def _label(cassettes, name: str) -> str:
    return json.loads(recordings.find(cassettes, name).body)["error"][0]["label"]


def test_recorded_invalid_value_names_the_rejected_code(cassettes):
    label = _label(cassettes, "TestImporterErrors.test_invalid_filter_value")
    assert eurostat.rejected_codes(label) == {"geo": {"EUROVISION"}}
    assert eurostat.rejected_codes(label + " (id 150)") == {"geo": {"EUROVISION"}}


def test_recorded_invalid_key_names_no_code(cassettes):
    assert eurostat.rejected_codes(_label(cassettes, "TestImporterErrors.test_invalid_filter_key")) == {}


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("INDIC_IS=E_AI_BEC,E_AI_X.", {"indic_is": {"E_AI_BEC", "E_AI_X"}}),
        ("INDIC_IS=E_AI_BEC, UNIT=PC_Y.", {"indic_is": {"E_AI_BEC"}, "unit": {"PC_Y"}}),
        ("INDIC_IS=E_AI_BEC; GEO=XX", {"indic_is": {"E_AI_BEC"}, "geo": {"XX"}}),
    ],
)
def test_several_rejected_codes_and_dimensions(tail, expected):
    assert (
        eurostat.rejected_codes(f"... The following values for dimension are not allowed: {tail}") == expected
    )


def test_rejections_map_onto_the_request_and_narrow_it():
    req = next(r for r in eurostat.plan(load_indicators()) if r.dataset == "isoc_eb_ai")
    named = eurostat.match_rejected(req, {"indic_is": {"e_ai_bec"}, "geo": {"EUROVISION"}})
    assert named == {"indic_is": {"E_AI_BEC"}}  # case-insensitive, and only codes we asked for
    narrower = eurostat.without(req, named)
    assert "E_AI_BEC" not in narrower.codes["indic_is"]
    assert "ai_ethics_barrier" not in [m[0] for m in narrower.members]  # the one indicator using E_AI_BEC
    assert len(narrower.members) == len(req.members) - 1
    assert narrower.fingerprint() != req.fingerprint()
    assert eurostat.without(req, {"geo": set(req.geos)}) is None


def test_fingerprint_changes_with_what_is_asked_only():
    reqs = eurostat.plan(load_indicators())
    again = eurostat.plan(load_indicators())
    assert [r.fingerprint() for r in reqs] == [r.fingerprint() for r in again]
    assert len({r.fingerprint() for r in reqs}) == len(reqs)


def test_recorded_structure_gives_update_data_with_its_time(cassettes):
    rec = recordings.find(cassettes, "TestCheckUpdates.test_no_update", "/structure/")
    assert eurostat.parse_update_data(rec.body) == "2024-06-16T23:00:00+02:00"
    assert eurostat.parse_update_data(gzip.compress(rec.body)) == "2024-06-16T23:00:00+02:00"
    assert eurostat.parse_update_data(b'{"extension": {"annotation": []}}') is None


def test_recorded_toc_plain_and_gzipped(raw_dir):
    body = (raw_dir.parent / "recordings" / "eurostat_toc" / "table_of_contents_en.txt").read_bytes()
    toc = eurostat.parse_toc(body)
    assert toc["nrg_ind_ren"] == "2023-07-19" and toc["isoc_eb_ai"] == "2023-06-30"
    assert eurostat.parse_toc(gzip.compress(body)) == toc
    with pytest.raises(ValueError, match="not a Eurostat table of contents"):
        eurostat.parse_toc(b'"something"\t"else"\n')


# Async envelopes, in the shapes Eurostat's "API - Asynchronous API" page documents (synthetic keys: no async
# answer was recorded). Namespaces vary between endpoints and are not relied on.
QUEUED = (b'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/'
          b'envelope/"><env:Body><ns0:asyncResponse xmlns:ns0="urn:x"><queued><id>1b2c-key</id>'
          b"<status>SUBMITTED</status></queued></ns0:asyncResponse></env:Body></env:Envelope>")  # fmt: skip
STATUS = (b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><ns2:asyncStatusResponse '
          b'xmlns:ns2="urn:y"><ns2:status><ns2:key>1b2c-key</ns2:key><ns2:status>AVAILABLE</ns2:status>'
          b"</ns2:status></ns2:asyncStatusResponse></S:Body></S:Envelope>")  # fmt: skip


def test_async_envelopes_give_key_and_status():
    assert eurostat.parse_async(QUEUED) == ("1b2c-key", "SUBMITTED")
    assert eurostat.parse_async(STATUS) == ("1b2c-key", "AVAILABLE")
    assert eurostat.parse_async(b"STRUCTURE,STRUCTURE_ID\n") is None
    assert eurostat.parse_async(b"<S:Fault><faultcode>413</faultcode></S:Fault>") is None  # no envelope


def test_eurostat_timestamps_get_a_colon_in_their_offset():
    assert eurostat.normalise_timestamp("2026-02-27T11:00:00+0100") == "2026-02-27T11:00:00+01:00"
    assert eurostat.normalise_timestamp("2026-02-27") == "2026-02-27"
