"""AppTest of the dataset browser: a period filter, codes in words (never a bare code tuple), DESI
fractions as percentages, and downloads of what is shown."""

import pytest

from indicators.series import parse_key
from indicators.vocabulary import LANGS
from tests.app.test_pages import rows, run_page, specs

NRG = "eurostat/nrg_ind_ren"


def _raw_tuple(key: str) -> str:
    """The series as the page used to show it: its codes joined, frequency left out."""
    return " · ".join(c for d, c in parse_key(key).items() if d != "freq")


def test_dataset_page_filters_by_period(app_env):
    at = run_page("dataset", dataset=NRG, ds_geos=["BE", "NL"], ds_from="2010", ds_to="2015")
    series = at.selectbox(key="series").value
    expected = rows(
        app_env,
        "SELECT count(*) FROM observations WHERE dataset='nrg_ind_ren' AND series_key=? "
        "AND geo IN ('BE', 'NL') AND period BETWEEN '2010' AND '2015'",
        [series],
    )[0][0]
    table = at.dataframe[0].value
    assert len(table) == expected > 0
    assert sorted(set(table.iloc[:, 2])) == [str(y) for y in range(2010, 2016)]
    # The chart holds the same years.
    xs = {x for trace in specs(at)[0]["data"] for x in trace.get("x") or [] if isinstance(x, int | float)}
    assert xs and min(xs) >= 2010 and max(xs) < 2016
    assert [b.proto.label for b in at.get("download_button")] == [
        "CSV",
        "CSV for Excel",
        "XLSX (with metadata)",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_dataset_page_shows_labels_not_code_tuples(app_env, lang):
    at = run_page("dataset", dataset="eurostat/isoc_cicce_use", lang=lang)
    options = at.selectbox(key="series").options  # as the reader sees them
    keys = [
        k
        for (k,) in rows(
            app_env, "SELECT DISTINCT series_key FROM observations WHERE dataset='isoc_cicce_use'"
        )
    ]
    assert len(options) == len(keys) > 1
    raw = {_raw_tuple(k) for k in keys} | {c for k in keys for c in parse_key(k).values()}
    assert not [o for o in options if o in raw or any(part in raw for part in o.split(" · "))], options


def test_statbel_series_in_words_and_desi_fractions_as_percentages(full_app_env):
    at = run_page("dataset", dataset="statbel/tf_soc_pop_struct", lang="fr")
    key = at.selectbox(key="series").value
    text = [s.value for s in at.subheader][0]
    assert text != _raw_tuple(key)
    # Statbel's own French label of the nationality code of that series, from the warehouse.
    codes = parse_key(key)
    [(natlty,)] = rows(
        full_app_env,
        "SELECT label FROM labels WHERE source='statbel' AND dimension='cd_natlty' AND code=? AND lang='fr'",
        [codes["cd_natlty"]],
    )
    assert natlty in text.split(" · ")
    # DESI 2022 publishes shares as fractions of 1: shown as percentages (x 100).
    at = run_page("dataset", dataset="desi/desi_2022", series="indicator=1a1", ds_geos=["BE"])
    table = at.dataframe[0].value
    stored = dict(
        rows(
            full_app_env,
            "SELECT period, value FROM observations WHERE dataset='desi_2022' "
            "AND series_key='indicator=1a1' AND geo='BE'",
        )  # fmt: skip
    )
    assert dict(zip(table.iloc[:, 2], table.iloc[:, 3], strict=True)) == pytest.approx(
        {p: 100 * v for p, v in stored.items()}
    )
    assert stored and max(stored.values()) < 1  # stored as fractions: x 100 is what the page must do
