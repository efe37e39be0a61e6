"""The catalogue: the shipped files validate; each kind of bad input names its file and key."""

import shutil
from dataclasses import fields

import pytest
import yaml
from pydantic import BaseModel

from indicators.catalog import CatalogError, load_indicators, load_objectives
from indicators.model import Indicator, PartlyTranslated, Translated
from indicators.series import resolve
from indicators.units import UNITS
from indicators.vocabulary import LANGS

GOOD = "ai_enterprises"


def test_shipped_catalogue_is_valid_and_covers_nine_objectives():
    objectives = load_objectives()
    inds = load_indicators()
    assert [o.number for o in objectives] == list(range(1, 10))
    for number in range(1, 10):
        mine = [i for i in inds if i.objective == number]
        assert mine, f"objective {number} has no indicator"
        assert sum(i.headline for i in mine) == 1, f"objective {number} needs exactly one headline indicator"
    for ind in inds:
        assert (ind.target is None) != (ind.direction_only is None)
        if ind.target:
            assert ind.target.document and ind.target.year >= 2022
        for lang in LANGS:
            assert ind.title.get(lang).strip()


@pytest.fixture
def catalog(tmp_path):
    """A one-indicator catalogue folder to break in various ways."""
    d = tmp_path / "catalog"
    d.mkdir()
    shutil.copy(load_indicators.__globals__["CATALOG_DIR"] / f"{GOOD}.yaml", d / f"{GOOD}.yaml")
    return d


def _edit(d, name, change):
    path = d / f"{name}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return path


def _problems(d):
    with pytest.raises(CatalogError) as exc:
        load_indicators(d)
    return exc.value.problems


@pytest.mark.parametrize(
    ("change", "key", "needle"),
    [
        (lambda d: d.update(colour="blue"), "colour", "unknown key"),
        (lambda d: d["target"].pop("document"), "target.document", "required"),
        (
            lambda d: d["target"].update(document="Decision (EU) 2022/2481"),
            "target.document",
            "valid dictionary",
        ),
        (lambda d: d["target"]["document"].pop("de"), "target.document.de", "required"),
        (lambda d: d["target"]["document"].update(fr="Décret"), "target.document.fr", "at least 8"),
        (lambda d: d.update(objective=12), "objective", "unknown objective 12"),
        (lambda d: d.update(direction="upwards"), "direction", "'increase' or 'decrease'"),
        (lambda d: d["target"].update(year="soon"), "target.year", "valid integer"),
        (lambda d: d.update(series="E_AI_TANY"), "series", "valid dictionary"),
        (lambda d: d.update(unit="percent"), "unit", "unknown unit"),
        (lambda d: d.update(direction_only={"reason": "a reason long enough"}), "(top level)", "not both"),
        (lambda d: d.pop("target"), "(top level)", "either 'target' or 'direction_only'"),
        (lambda d: d["title"].pop("nl"), "title.nl", "required"),
        (lambda d: d["title"].pop("de"), "title.de", "required"),
        (lambda d: d["notes"][0].pop("de"), "notes.0.de", "required"),
        (lambda d: d.update(series={"geo": "BE"}), "series", "not a series dimension"),
    ],
)
def test_bad_field_names_file_and_key(catalog, change, key, needle):
    path = _edit(catalog, GOOD, change)
    problems = _problems(catalog)
    assert len(problems) == 1, problems
    assert problems[0].file == str(path)
    assert problems[0].key == key
    assert needle in problems[0].message


def test_id_differs_from_file_name(catalog):
    (catalog / f"{GOOD}.yaml").rename(catalog / "renamed.yaml")
    [p] = _problems(catalog)
    assert p.file.endswith("renamed.yaml") and p.key == "id" and "differs from the file name" in p.message


def test_duplicate_id(catalog):
    shutil.copy(catalog / f"{GOOD}.yaml", catalog / "copy.yaml")
    problems = _problems(catalog)
    dup = [p for p in problems if "duplicate id" in p.message]
    assert len(dup) == 1 and dup[0].file.endswith("copy.yaml") and dup[0].key == "id"


def test_invalid_yaml_names_file_and_line(catalog):
    path = catalog / f"{GOOD}.yaml"
    path.write_text(path.read_text() + "notes: [unclosed\n")
    [p] = _problems(catalog)
    assert p.file == str(path) and p.key.startswith("line ") and "invalid YAML" in p.message


def test_all_problems_are_reported_at_once(catalog):
    _edit(catalog, GOOD, lambda d: d.update(colour="blue", direction="sideways"))
    assert {p.key for p in _problems(catalog)} == {"colour", "direction"}


def _ind(**series) -> Indicator:
    doc = yaml.safe_load((load_indicators.__globals__["CATALOG_DIR"] / f"{GOOD}.yaml").read_text())
    doc["series"] = series
    return Indicator.model_validate(doc)


KEYS = [
    "freq=A|indic_is=E_AI_TANY|size_emp=GE10|unit=PC_ENT",
    "freq=A|indic_is=E_AI_TANY|size_emp=GE10|unit=PC_ENT_IUSE",
    "freq=A|indic_is=E_AI_TANY|size_emp=10-49|unit=PC_ENT",
]


def test_codes_select_exactly_one_series():
    r = resolve(_ind(indic_is="E_AI_TANY", size_emp="GE10", unit="PC_ENT"), KEYS)
    assert (r.status, r.series_key) == ("ok", KEYS[0])


def test_codes_selecting_several_series_name_the_missing_dimension():
    r = resolve(_ind(indic_is="E_AI_TANY", size_emp="GE10"), KEYS)
    assert r.status == "several" and r.series_key is None and "add a code for unit" in r.message


def test_codes_selecting_no_series_name_the_code():
    r = resolve(_ind(indic_is="E_AI_TANY", size_emp="GE250"), KEYS)
    assert r.status == "no_series" and "size_emp=GE250" in r.message
    r = resolve(_ind(indic_is="E_AI_TANY", sector="X"), KEYS)
    assert r.status == "no_series" and "no dimension 'sector'" in r.message
    assert resolve(_ind(indic_is="E_AI_TANY"), None).status == "no_dataset"


def _texts(node, path=""):
    """Every multilingual text of a catalogue model, with where it is."""
    if isinstance(node, (Translated, PartlyTranslated)):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _texts(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            yield from _texts(item, f"{path}.{i}")


def test_every_text_a_reader_sees_is_in_every_language():
    # Titles, definitions, notes, target notes and documents, reference levels, publishers: in all of LANGS
    # (German included), each its own text, never an English one left in place.
    found, missing = 0, []
    for model in [*load_objectives(), *load_indicators()]:
        for path, text in _texts(model, getattr(model, "id", "")):
            found += 1
            missing += [f"{path}.{lang}" for lang in LANGS if not (getattr(text, lang, None) or "").strip()]
            if text.en and text.en == getattr(text, "de", None) and len(text.en) > 25:
                missing.append(f"{path}.de (still the English text)")
    assert found > 150, found  # the walk reaches the nested texts
    assert not missing, missing


def test_target_and_reference_documents_name_the_act_in_each_language():
    inds = {i.id: i for i in load_indicators()}
    document = inds["ai_enterprises"].target.document
    assert document.get("en").startswith("Decision (EU) 2022/2481")
    assert document.get("fr").startswith("Décision (UE) 2022/2481")
    assert document.get("nl").startswith("Besluit (EU) 2022/2481")
    assert document.get("de").startswith("Beschluss (EU) 2022/2481")
    refs = [r for i in inds.values() for r in i.reference_levels]
    assert refs and all(r.document.get("de") != r.document.get("en") for r in refs)
    assert all(r.note is None or r.note.get("de") != r.note.get("en") for r in refs)


def test_every_unit_is_named_in_every_language():
    for key, unit in UNITS.items():
        assert all(unit.get(lang).strip() for lang in LANGS), key
        assert {f.name for f in fields(unit)} >= set(LANGS), key  # its own name, not the English fallback
