"""A catalogue copy with one objective's headlines changed → `aiplan check` refuses it, naming it."""

import shutil

import yaml

from aiplan.cli import main
from indicators.catalog import CATALOG_DIR


def _catalogue(tmp_path, monkeypatch, headlines: dict[str, bool]):
    """The real catalogue copied to tmp with the `headline` of the named indicators set as given."""
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    for ind_id, value in headlines.items():
        path = folder / f"{ind_id}.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["headline"] = value
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("AIPLAN_CATALOG_DIR", str(folder))
    monkeypatch.setenv("AIPLAN_WAREHOUSE", str(tmp_path / "no-warehouse.duckdb"))
    return folder


def test_the_real_catalogue_copied_is_accepted(tmp_path, monkeypatch, capsys):
    _catalogue(tmp_path, monkeypatch, {})
    assert main(["check"]) == 0


def test_two_headlines_in_one_objective_are_refused(tmp_path, monkeypatch, capsys):
    # Objective 7: ghg_emissions is its headline; renewables_share made a second one.
    folder = _catalogue(tmp_path, monkeypatch, {"renewables_share": True})
    assert main(["check"]) == 2
    said = capsys.readouterr().err
    assert "headline" in said and "7" in said
    assert str(folder / "renewables_share.yaml") in said or str(folder / "ghg_emissions.yaml") in said


def test_an_objective_without_a_headline_is_refused(tmp_path, monkeypatch, capsys):
    _catalogue(tmp_path, monkeypatch, {"ghg_emissions": False})
    assert main(["check"]) == 2
    said = capsys.readouterr().err
    assert "headline" in said and "7" in said
