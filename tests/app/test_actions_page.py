"""AppTest: the objective page shows its action lines' counts by status beside the indicators (never blended
into their status); the Action lines page lists every line by objective, filters by status, lists events."""

from __future__ import annotations

import yaml

from indicators.actions import ACTIONS_FILE, EVENTS_FILE
from tests.app.test_pages import run_page, texts

RAW = yaml.safe_load(ACTIONS_FILE.read_text(encoding="utf-8"))


def _of(number: str) -> list[dict]:
    return [e for e in RAW if e["id"].split(".")[0] == number]


def test_the_objective_page_shows_its_action_lines_counts_and_list(app_env):
    at = run_page("objective", objective="1", lang="fr")
    mine = _of("1")
    done = sum(1 for e in mine if e.get("status") == "done")
    unknown = sum(1 for e in mine if e.get("status", "unknown") == "unknown")
    shown = texts(at)
    assert f"{len(mine)} axes d'action" in shown
    assert f"réalisé\u00a0: {done}" in shown and f"aucune preuve trouvée\u00a0: {unknown}" in shown
    # Unknown is grey, never red; and the objective's own status badge is still the indicators' status.
    assert f":gray-badge[:material/help: aucune preuve trouvée\u00a0: {unknown}]" in shown
    assert ":red-badge" not in shown
    table = next(d.value for d in at.dataframe if "Axe d'action" in d.value.columns)
    assert list(table["Axe"]) == [e["id"] for e in mine]
    row = table[table["Axe"] == "1.d"].iloc[0]
    assert row["Où il en est"] == "✔ réalisé" and row["Au"] == "8 mai 2024"
    assert row["Preuve"].startswith("https://")


def test_an_objective_no_source_itemises_says_so(app_env):
    at = run_page("objective", objective="6", lang="nl")
    assert not _of("6")
    assert "Geen enkele actielijn van deze doelstelling" in " ".join(c.value for c in at.caption)


def test_the_actions_page_lists_every_line_and_filters_by_status(app_env):
    at = run_page("actions")
    lines = [v for d in at.dataframe if "Line" in d.value.columns for v in d.value["Line"]]
    assert sorted(lines) == sorted(e["id"] for e in RAW)
    events = next(d.value for d in at.dataframe if "Event" in d.value.columns)
    assert len(events) == len(yaml.safe_load(EVENTS_FILE.read_text(encoding="utf-8")))
    at = run_page("actions", action_status="done", lang="de")
    shown = [v for d in at.dataframe if "Linie" in d.value.columns for v in d.value["Linie"]]
    assert shown and sorted(shown) == sorted(e["id"] for e in RAW if e.get("status") == "done")
    assert f"{len(shown)} von {len(RAW)} Linien angezeigt" in texts(at)
