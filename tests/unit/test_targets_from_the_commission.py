"""EU 2030 targets → from the Commission's own target rows, which agree with targets.md; each labelled."""

from __future__ import annotations

import re

import pytest

from indicators.catalog import load_indicators
from pipelines import reports
from pipelines.warehouse import connect_read_only

# targets.md line (a phrase it contains) → the Commission's target row for the same target
ROWS = {
    "cloud computing, big data and/or AI": "desi_ai_cloud_da",
    "SMEs reach at least a basic level": "desi_sme_di3_gelo",
    "gigabit network coverage": "desi_vhcn",
    "5G coverage of all populated areas": "desi_5gcov",
    "access to their electronic health records": "desi_aehr",
    "at least basic digital skills": "desi_dsk_bab",
    "online provision of key public services": "desi_dps_cit",
}


@pytest.fixture(scope="module")
def con(snapshot_warehouse):
    c = connect_read_only(snapshot_warehouse)
    yield c
    c.close()


def _row_value(con, indicator: str) -> float:
    rows = con.execute(
        "SELECT value FROM observations WHERE dataset = 'desi_facts' AND geo = 'EU' AND period = '2030' "
        "AND series_key LIKE ?",
        [f"breakdown=dd_target_2030|indicator={indicator}|%"],
    ).fetchall()
    assert len(rows) == 1, indicator
    return rows[0][0]


def test_targets_md_agrees_with_the_commission_rows(con, raw_dir):
    targets_md = (raw_dir.parents[1] / "docs" / "targets.md").read_text(encoding="utf-8")
    for phrase, indicator in ROWS.items():
        line = next(ln for ln in targets_md.splitlines() if phrase in ln)
        stated = {float(x) for x in re.findall(r"(\d+(?:\.\d+)?) ?%", line)}
        stated |= {100.0} if re.search(r"\ball\b|100 %", line) else set()
        assert _row_value(con, indicator) in stated, (phrase, stated)


def test_every_catalogue_target_with_a_row_takes_its_value_from_it(con):
    card = reports.scorecard(con, "BE")
    entries = {i.id: i for i in card.indicators()}
    with_rows = [i for i in load_indicators() if i.target and i.target.commission_row]
    assert len(with_rows) >= 9
    for ind in with_rows:
        target = entries[ind.id].target
        assert target.value == _row_value(con, ind.target.commission_row.indicator), ind.id
        assert target.commission_row.indicator == ind.target.commission_row.indicator
        assert target.scope == "eu" and target.document.startswith("Decision (EU) 2022/2481")


def test_single_technology_targets_say_the_law_is_for_any_of_the_three(con):
    card = reports.scorecard(con, "BE")
    entries = {i.id: i for i in card.indicators()}
    for iid in ("ai_enterprises", "cloud_enterprises", "data_analytics_enterprises"):
        assert "any of the three" in entries[iid].target.note, iid
    combined = entries["ai_cloud_da_enterprises"]
    assert combined.codes["indic_is"] == "E_AI_CC1SI_DA_ANY" and combined.target.value == 75.0


def test_a_missing_commission_row_is_a_catalogue_error_naming_the_file(tmp_path, monkeypatch):
    import shutil

    from indicators.catalog import CatalogError
    from pipelines.settings import REPO_ROOT
    from pipelines.warehouse import build_from_snapshot

    catalog = tmp_path / "catalog"
    shutil.copytree(REPO_ROOT / "indicators" / "catalog", catalog)
    path = catalog / "digital_skills.yaml"
    path.write_text(path.read_text().replace("indicator: desi_dsk_bab", "indicator: desi_nothing"))
    monkeypatch.setenv("AIPLAN_CATALOG_DIR", str(catalog))
    with pytest.raises(CatalogError, match=r"digital_skills.yaml: target.commission_row: no .*desi_nothing"):
        build_from_snapshot(REPO_ROOT / "data" / "snapshot", tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()
