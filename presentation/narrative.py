"""Scorecard indicator entry (contracts.IndicatorEntry) → objective sentence and calculation card in words."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from indicators.assess import (
    DIRECTION_ONLY_THRESHOLD,
    LIMIT_EXPONENT,
    MODERATE_RATIO,
    ON_TRACK_RATIO,
    STRONG_EVIDENCE,
    STRONG_EVIDENCE_SHARE,
)
from indicators.units import UNITS, Unit
from indicators.vocabulary import STALE_AFTER_YEARS, WINDOW_YEARS
from pipelines.contracts import Card, CardComparison, IndicatorEntry
from presentation import status as status_words
from presentation.i18n import DEFAULT_LANG, fmt_number, fmt_signed, fmt_value, t

# Every message key is a literal here, so the tests can check them against narrative.yaml.
FLAG_KEYS: dict[str, str] = {
    "b": "narrative.flag.b",
    "p": "narrative.flag.p",
    "e": "narrative.flag.e",
    "u": "narrative.flag.u",
    "d": "narrative.flag.d",
    "f": "narrative.flag.f",
    "i": "narrative.flag.i",
}
NEIGHBOUR_KEYS: dict[str, str] = {
    "BE": "narrative.neighbour.BE",
    "NL": "narrative.neighbour.NL",
    "FR": "narrative.neighbour.FR",
    "DE": "narrative.neighbour.DE",
    "LU": "narrative.neighbour.LU",
}
TARGET_KEYS: dict[tuple[str, bool], str] = {  # (scope, to be confirmed) → clause
    ("eu", False): "narrative.target.eu",
    ("eu", True): "narrative.target.eu_to_confirm",
    ("be", False): "narrative.target.be",
    ("be", True): "narrative.target.be_to_confirm",
}
# status → (template, lower bound, upper bound) of the ratio class, from assess.py's constants.
RATIO_CLASSES: dict[str, tuple[str, float | None, float | None]] = {
    "on_track": ("narrative.card.ratio_at_least", ON_TRACK_RATIO, None),
    "moderate": ("narrative.card.ratio_between", MODERATE_RATIO, ON_TRACK_RATIO),
    "insufficient": ("narrative.card.ratio_between", 0.0, MODERATE_RATIO),
    "moving_away": ("narrative.card.ratio_below", None, 0.0),
}
GROWTH_KEYS: dict[str, str] = {
    "on_track": "narrative.card.growth_above",
    "moderate": "narrative.card.growth_between",
    "moving_away": "narrative.card.growth_below",
}
EPS = 1e-9  # year_reached 2030.0000000001 is still 2030; a gap under EPS is no gap


# --------------------------------------------------------------------------- public API


def status_word(status: str, lang: str = DEFAULT_LANG, kind: str = "target") -> str:
    """'moderate' → 'moderate progress' against a target, 'little change' for a direction only."""
    return status_words.word(status, lang, kind)


def objective_sentence(ind: IndicatorEntry, *, geo_name: str, lang: str = DEFAULT_LANG) -> str:
    """One sentence for a headline indicator: value, EU value, rank, target and where the trend leads."""
    card = _card(ind)
    if ind.data != "available":
        clauses = [t("narrative.no_data", lang, geo=geo_name)]
    elif ind.value is None:
        clauses = [t("narrative.no_value", lang, geo=geo_name)]
    else:
        clauses = [
            _head(ind, card, geo_name, lang),
            *_lower_better_clause(ind, lang),
            *_rank_clause(ind, lang),
            *_target_clause(ind, lang),
            _trend_clause(ind, card, lang),
        ]
    return _capital(t("narrative.sentence", lang, text=t("narrative.clause_sep", lang).join(clauses)))


def card_lines(ind: IndicatorEntry, *, geo_name: str, lang: str = DEFAULT_LANG) -> list[str]:
    """The calculation card in plain words, one short sentence a line; every line read from the card."""
    card = _card(ind)
    if ind.data != "available":
        return [t("narrative.card.no_data", lang)]
    if card.latest_value is None:
        return [t("narrative.card.no_value", lang, geo=geo_name)]
    lines = [_target_line(ind, lang)]
    if card.currency and card.currency.stale:
        lines.append(t("narrative.card.stale", lang, year=_year(card.currency.latest_year),
                       years=STALE_AFTER_YEARS, now=card.currency.current_year))  # fmt: skip
    if card.comparable_from:
        lines.append(t("narrative.card.comparable_from", lang, year=card.comparable_from))
    if card.start_year is None:
        lines += _too_few_lines(ind, card, lang)
    else:
        lines += _window_lines(ind, card, geo_name, lang)
        lines += _pace_lines(ind, card, lang)
        lines += _target_lines(ind, card, lang) if _has_target(ind) else _direction_lines(ind, card, lang)
        lines += _projection_lines(ind, card, lang)
    lines += _comparison_lines(ind, card, geo_name, lang)
    return [_capital(line) for line in lines]


# --------------------------------------------------------------------------- numbers and units


def _capital(text: str) -> str:
    """A sentence may open with a name such as 'the Netherlands'."""
    return text[:1].upper() + text[1:]


def _card(ind: IndicatorEntry) -> Card:
    """The entry's card; an entry without an assessment reads as a card holding its status alone."""
    return ind.card or Card(method="none", status=ind.status)


def _unit(key: str) -> Unit | None:
    """The unit of a catalogue key (the catalogue refuses unknown keys; a test's entry may have one)."""
    return UNITS[key] if key in UNITS else None


def _unit_text(unit: Unit, lang: str) -> str:
    return getattr(unit, lang, unit.en)


def _is_percent(ind: IndicatorEntry) -> bool:
    unit = _unit(ind.unit)
    return unit.percent if unit else bool(ind.card and ind.card.is_percent)


def _small_decimals(x: float, decimals: int = 1) -> int:
    """Up to two more decimals for a small non-zero number, so 0.03 does not print as 0.0."""
    d = decimals
    while 0 < abs(x) < 0.5 * 10**-d and d < decimals + 2:
        d += 1
    return d


def _year(y: float | None) -> str:
    """2023.0 → '2023'; a missing year → '–' (as fmt_number), never 'None'."""
    if y is None:
        return fmt_number(None)
    x = float(y)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _year_reached(y: float) -> str:
    """2043.57 → '2044': the first whole year at or beyond the target."""
    return str(math.ceil(y - EPS))


def _plain(value: float, ind: IndicatorEntry, lang: str, decimals: int | None = None) -> str:
    """34.5 → '34.5 %' for percentages, '73.1' otherwise (fmt_value); a count without decimals."""
    return fmt_value(value, _is_percent(ind), lang, _unit_decimals(ind) if decimals is None else decimals)


def _unit_decimals(ind: IndicatorEntry) -> int:
    unit = _unit(ind.unit)
    return unit.decimals if unit else 1


def _target_number(value: float, ind: IndicatorEntry, lang: str) -> str:
    """Targets are round numbers: 75 → '75 %', 42.5 → '42.5 %'."""
    return _plain(value, ind, lang, 0 if float(value).is_integer() else 1)


def _label_unit(unit_key: str, name: str) -> bool:
    """'Index, 1990 = 100', 'Score (0–100)' and counts are no unit of measure: a gap is a bare number."""
    return name[:1].isupper() or unit_key.startswith("nr_")


def _running_text(name: str) -> str:
    """'Score (0–100)' → 'score (0–100)' inside a sentence; 'CO2', 'GDP' keep their capitals."""
    return name[:1].lower() + name[1:] if name[:1].isupper() and name[1:2].islower() else name


def _unit_name(ind: IndicatorEntry, lang: str) -> str:
    unit = _unit(ind.unit)
    return _running_text(_unit_text(unit, lang)) if unit else ind.unit


def _with_unit(value: float, ind: IndicatorEntry, lang: str, decimals: int | None = None) -> str:
    """34.5 → '34.5 % of enterprises', 121.5 → '121.5 g CO2 per km', 73.1 → '73.1 index, 1990 = 100'."""
    unit = _unit(ind.unit)
    decimals = _unit_decimals(ind) if decimals is None else decimals
    if unit is None:
        return fmt_value(value, False, lang, decimals)
    name = _unit_text(unit, lang)
    if unit.percent:
        rest = name[1:].strip() if name.startswith("%") else name
        return t("narrative.value_unit", lang, value=fmt_value(value, True, lang, decimals), unit=rest)
    text = fmt_value(value, False, lang, decimals)
    return t("narrative.value_unit", lang, value=text, unit=_running_text(name))


def _amount(x: float, ind: IndicatorEntry, lang: str, *, signed: bool, decimals: int = 1) -> str:
    """A difference in the indicator's units: '+1.7 percentage points', '2.3 g CO2 per km', '11.5'."""
    dec = _small_decimals(x, decimals)
    number = fmt_signed(x, lang, dec) if signed else fmt_number(x, lang, dec)
    key = ind.unit
    unit = _unit(key)
    if _is_percent(ind):
        # The count as printed (a Decimal keeps its decimals): CLDR makes "1.0" plural in English.
        return t("narrative.pp", lang, value=number, count=Decimal(f"{abs(x):.{dec}f}"))
    if unit is None or _label_unit(key, _unit_text(unit, lang)):
        return number
    return t("narrative.value_unit", lang, value=number, unit=_unit_text(unit, lang))


def _rate(
    x: float, pace: str | None, ind: IndicatorEntry, lang: str, *, signed: bool, decimals: int = 1
) -> str:
    """A pace a year: compound as a percentage ('+2.2 %'), linear in the indicator's units."""
    if pace != "cagr":
        return _amount(x, ind, lang, signed=signed, decimals=decimals)
    pct = x * 100
    dec = _small_decimals(pct, decimals)
    number = fmt_signed(pct, lang, dec) if signed else fmt_number(pct, lang, dec)
    return t("narrative.percent", lang, value=number)


def _ratio_text(x: float, lang: str) -> str:
    return fmt_signed(x, lang, 2) if x < 0 else fmt_number(x, lang, 2)


def _flag_words(flags, lang: str) -> list[str]:
    letters = flags if isinstance(flags, list) else list(dict.fromkeys(flags or ""))
    return [t(FLAG_KEYS[c], lang) for c in letters if c in FLAG_KEYS]


def _join(items: list[str], lang: str) -> str:
    return t("narrative.list_sep", lang).join(items)


# --------------------------------------------------------------------------- the sentence


def _head(ind: IndicatorEntry, card: Card, geo_name: str, lang: str) -> str:
    period = ind.latest_period or _year(card.latest_year)
    words = _flag_words(ind.flag, lang)
    if words:
        period = t("narrative.period_flags", lang, period=period, flags=_join(words, lang))
    value = _with_unit(ind.value, ind, lang)
    eu = ind.eu_value
    unit = _unit(ind.unit)
    if unit is not None and unit.subgroup:
        # "27 % of enterprises that considered AI" alone reads as if 27 % considered it: name the measure.
        title = ind.title
        if eu is None:
            return t("narrative.head_subgroup", lang, title=title, geo=geo_name, value=value, period=period)
        return t("narrative.head_subgroup_eu", lang, title=title, geo=geo_name, value=value, period=period,
                 eu=_plain(eu, ind, lang))  # fmt: skip
    if eu is None:
        return t("narrative.head", lang, geo=geo_name, value=value, period=period)
    return t("narrative.head_eu", lang, geo=geo_name, value=value, period=period, eu=_plain(eu, ind, lang))


def _lower_better_clause(ind: IndicatorEntry, lang: str) -> list[str]:
    return [t("narrative.lower_better", lang)] if ind.direction == "decrease" else []


def _rank_clause(ind: IndicatorEntry, lang: str) -> list[str]:
    if ind.rank is None or not ind.n_ranked:
        return []
    return [t("narrative.rank", lang, rank=ind.rank, n=ind.n_ranked)]


def _has_target(ind: IndicatorEntry) -> bool:
    return ind.target is not None and ind.target.value is not None


def _target_text(ind: IndicatorEntry, lang: str) -> str:
    """'EU 2030 target 75 %', 'Belgian 2030 target 3 % (reference level, to be confirmed)'."""
    target = ind.target
    scope = "be" if target.scope == "be" else "eu"
    key = TARGET_KEYS[(scope, target.confidence == "to_confirm")]
    return t(key, lang, year=_year(target.year), value=_target_number(target.value, ind, lang))


def _target_clause(ind: IndicatorEntry, lang: str) -> list[str]:
    return [_target_text(ind, lang)] if _has_target(ind) else []


def _trend_clause(ind: IndicatorEntry, card: Card, lang: str) -> str:
    status = card.status
    if status == "insufficient_data":
        return _no_trend_clause(card, lang)
    if card.stale:
        # A pace measured years ago says nothing of today: no projection, and the reader is told why.
        return t("narrative.trend.stale", lang, year=_year(card.currency.latest_year))
    if _has_target(ind):
        return _target_trend(card, status, lang)
    return _direction_trend(ind, card, lang)


def _no_trend_clause(card: Card, lang: str) -> str:
    if card.n_obs_total <= 1:
        key = "narrative.trend.one_year_met" if card.target_met_latest else "narrative.trend.one_year"
        return t(key, lang)
    if card.target_year_passed:
        return t("narrative.trend.passed", lang, year=_year(card.target_year))
    return t("narrative.trend.not_assessed", lang)


def _target_trend(card: Card, status: str, lang: str) -> str:
    if status == "target_met":
        return t("narrative.trend.target_met", lang)
    if card.target_year_passed:
        return t("narrative.trend.passed", lang, year=_year(card.target_year))
    if status == "moving_away":
        return t("narrative.trend.moving_away", lang)
    if card.year_reached is None:
        return t("narrative.trend.never", lang)
    return t("narrative.trend.reached", lang, year=_year_reached(card.year_reached))


def _direction_trend(ind: IndicatorEntry, card: Card, lang: str) -> str:
    change = card.pp_actual_per_year or 0.0  # the raw change decides rising or falling
    start = _year(card.start_year)
    if change == 0:
        return t("narrative.trend.flat", lang, start=start)
    rate = _rate(abs(card.actual_rate or 0.0), card.pace, ind, lang, signed=False)
    if _is_percent(ind) and card.pace == "cagr":
        # A share's relative growth ("8.4 % a year") reads as points: the points first, the rate as such.
        pp = _amount(abs(change), ind, lang, signed=False)
        key = "narrative.trend.rising_pp" if change > 0 else "narrative.trend.falling_pp"
        return t(key, lang, pp=pp, rate=rate, start=start)
    key = "narrative.trend.rising" if change > 0 else "narrative.trend.falling"
    return t(key, lang, rate=rate, start=start)


# --------------------------------------------------------------------------- the card


def _target_line(ind: IndicatorEntry, lang: str) -> str:
    if not _has_target(ind):
        threshold = fmt_value(DIRECTION_ONLY_THRESHOLD * 100, True, lang, 0)
        on_track = status_word("on_track", lang, "direction")
        return t("narrative.card.direction_only", lang, threshold=threshold, status=on_track)
    target = ind.target
    document = target.document or ""
    if target.article:
        return t(
            "narrative.card.target_article",
            lang,
            target=_target_text(ind, lang),
            document=document,
            article=target.article,
        )
    return t("narrative.card.target", lang, target=_target_text(ind, lang), document=document)


def _too_few_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    if card.n_obs_total != 1:
        return [t("narrative.card.reason", lang, reason=_reason(ind, card, lang))]
    value = _with_unit(card.latest_value, ind, lang)
    lines = [t("narrative.card.one_year", lang, value=value, year=_year(card.latest_year))]
    if card.target_met_latest:
        lines.append(t("narrative.card.one_year_met", lang))
    return lines


def _window_key(card: Card) -> str:
    outside = bool(card.start_outside_window)
    if card.start_rule == "base_year":
        return "narrative.card.base_year_outside" if outside else "narrative.card.base_year"
    return "narrative.card.window_outside" if outside else "narrative.card.window"


def _window_lines(ind: IndicatorEntry, card: Card, geo_name: str, lang: str) -> list[str]:
    start, latest = card.start_year, card.latest_year
    window = card.window
    from_year = latest - window if window is not None else None
    lines = [
        t(
            _window_key(card),
            lang,
            start=_year(start),
            latest=_year(latest),
            window=window,
            from_year=_year(from_year),
            base=_year(card.base_year),
        ),
        t(
            "narrative.card.values",
            lang,
            geo=geo_name,
            start_value=_plain(card.start_value, ind, lang),
            start=_year(start),
            latest_value=_plain(card.latest_value, ind, lang),
            latest=_year(latest),
            unit=_unit_name(ind, lang),
        ),
    ]
    if card.break_in_window:
        years = _join([_year(y) for y in card.break_years], lang)
        lines.append(t("narrative.card.break", lang, years=years))
    words = _flag_words(card.flags_latest, lang)
    if words:
        lines.append(t("narrative.card.flags_latest", lang, year=_year(latest), flags=_join(words, lang)))
    return lines


def _pace_key(card: Card) -> str:
    if card.pace == "cagr":
        return "narrative.card.pace_cagr"
    values = (card.start_value, card.latest_value, card.target_value)
    if any(v == 0 for v in values if v is not None):
        return "narrative.card.pace_linear_zero"
    return "narrative.card.pace_linear_signs"


def _pace_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    pace, actual = card.pace, card.actual_rate
    if actual is None:
        return []
    lines = [t(_pace_key(card), lang, rate=_rate(actual, pace, ind, lang, signed=True, decimals=2))]
    required = card.required_rate
    if required is not None and _has_target(ind):
        lines.append(
            t(
                "narrative.card.required",
                lang,
                rate=_rate(required, pace, ind, lang, signed=True, decimals=2),
                start_value=_plain(card.start_value, ind, lang),
                start=_year(card.start_year),
                target=_target_number(card.target_value, ind, lang),
                year=_year(card.target_year),
            )
        )
    return lines


def _target_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    status = card.status
    target = _target_number(card.target_value, ind, lang)
    if status == "target_met":
        value = _with_unit(card.latest_value, ind, lang)
        years = {"year": _year(card.latest_year), "target_year": _year(card.target_year)}
        return [t("narrative.card.target_met", lang, value=value, target=target, **years)]
    if status == "insufficient_data":
        return [_not_assessed_line(ind, card, lang)]
    if card.target_year_passed:
        best, word = status_word("insufficient", lang), status_word(status, lang)
        year, latest = _year(card.target_year), _year(card.latest_year)
        return [t("narrative.card.passed", lang, year=year, latest=latest, best=best, status=word)]
    ratio = card.ratio
    if ratio is None or status not in RATIO_CLASSES:
        return [t("narrative.card.target_equal", lang, status=status_word(status, lang))]
    key, low, high = RATIO_CLASSES[status]
    return [
        t(
            key,
            lang,
            ratio=_ratio_text(ratio, lang),
            low=_ratio_bound(low, lang),
            high=_ratio_bound(high, lang),
            status=status_word(status, lang),
        )
    ]


def _ratio_bound(x: float | None, lang: str) -> str:
    if x is None:
        return ""
    return fmt_number(x, lang, 0 if x == 0 else 2)


def _not_assessed_line(ind: IndicatorEntry, card: Card, lang: str) -> str:
    start, target_year = card.start_year, card.target_year
    if start is not None and target_year is not None and target_year <= start:
        return t("narrative.card.target_before_start", lang, year=_year(target_year), start=_year(start))
    return t("narrative.card.reason", lang, reason=_reason(ind, card, lang))


def _reason(ind: IndicatorEntry, card: Card, lang: str) -> str:
    """Why a series is not assessed, in the reader's words; the card's own reason (English, for the JSON and
    the logs) only where it says something these cases do not."""
    if ind.target is not None and ind.target.value is None:
        return t("assessment.reason.target_value", lang)
    n = card.n_obs_total
    if card.start_year is None and n < 2:
        return t("assessment.reason.too_few", lang, count=n, n=n)
    if card.start_year is not None and card.start_year == card.latest_year:
        return t("assessment.reason.one_year_window", lang)
    return card.reason or ""


def _direction_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    status, pace = card.status, card.pace
    growth, threshold = card.growth, card.threshold
    if status not in GROWTH_KEYS or growth is None or threshold is None:
        reason = _reason(ind, card, lang) or status_word(status, lang, "direction")
        return [t("narrative.card.reason", lang, reason=reason)]
    lines = [
        t(
            GROWTH_KEYS[status],
            lang,
            growth=_rate(growth, pace, ind, lang, signed=True, decimals=2),
            threshold=_rate(threshold, pace, ind, lang, signed=False, decimals=2),
            status=status_word(status, lang, "direction"),
        )
    ]
    if pace != "cagr":
        basis = max(abs(card.start_value), abs(card.latest_value))
        pct = fmt_value(DIRECTION_ONLY_THRESHOLD * 100, True, lang, 0)
        lines.append(t("narrative.card.threshold_linear", lang, pct=pct, basis=_plain(basis, ind, lang)))
    return lines + _limit_lines(ind, card, lang)


def _limit_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    limit, factor, start = card.limit, card.limit_factor, card.start_value
    factor_text = fmt_number(factor, lang, 3) if factor is not None else ""
    # A factor that prints as 1.000 changes nothing worth a line.
    if limit is None or start is None or factor is None or factor_text == fmt_number(1, lang, 3):
        return []
    kwargs = {"limit": _plain(limit, ind, lang, 0), "factor": factor_text}
    if start > limit:
        return [t("narrative.card.limit_mirror", lang, **kwargs)]
    exponent = card.limit_exponent or LIMIT_EXPONENT
    return [
        t(
            "narrative.card.limit",
            lang,
            start_value=fmt_number(start, lang),
            limit_number=fmt_number(limit, lang, 0),
            exponent=fmt_number(exponent, lang, 2),
            **kwargs,
        )
    ]


def _projection_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    if not _has_target(ind) or card.status in ("target_met", "insufficient_data"):
        return []
    lines = []
    projected, limit = card.projected_value, card.limit
    if projected is not None:
        target = _target_number(card.target_value, ind, lang)
        value, year = _plain(projected, ind, lang), _year(card.target_year)
        lines.append(t("narrative.card.projected", lang, value=value, year=year, target=target))
        if limit is not None and projected > limit:
            lines.append(t("narrative.card.projected_beyond_limit", lang, limit=_plain(limit, ind, lang, 0)))
    if card.year_reached is None:
        lines.append(t("narrative.card.never", lang))
    else:
        lines.append(t("narrative.card.reached", lang, year=_year_reached(card.year_reached)))
    return lines + _needed_lines(ind, card, lang)


def _needed_lines(ind: IndicatorEntry, card: Card, lang: str) -> list[str]:
    pace, latest, needed = card.pace, _year(card.latest_year), card.pace_needed
    if needed is None:
        return []
    rate = _rate(needed, pace, ind, lang, signed=True, decimals=2)
    lines = [t("narrative.card.needed", lang, latest=latest, rate=rate)]
    start_value, target_value = card.start_value, card.target_value
    start, target_year = card.start_year, card.target_year
    pp_actual = card.pp_actual_per_year
    if not (_is_percent(ind) and pace == "cagr") or None in (start_value, target_value, start, target_year,
                                                             pp_actual) or target_year <= start:  # fmt: skip
        return lines
    # The required pace in points is read from the same start as the status, so the two never seem to
    # contradict each other; where compound and linear readings disagree, the card says why.
    pp_required = (target_value - start_value) / (target_year - start)
    lines.append(
        t("narrative.card.pp_same_start", lang, needed=fmt_signed(pp_required, lang),
          actual=fmt_signed(pp_actual, lang), start=_year(start))
    )  # fmt: skip
    behind_in_points = (pp_actual < pp_required) if target_value >= start_value else (pp_actual > pp_required)
    if behind_in_points != (card.status not in ("on_track", "target_met")):
        lines.append(t("narrative.card.pace_basis", lang))
    return lines


def _gap_key(gap: float, direction: str | None, keys: tuple[str, str, str]) -> str:
    """(ahead, behind, level) by the sign of the gap in the direction of progress."""
    d = -1 if direction == "decrease" else 1
    if abs(gap) < EPS:
        return keys[2]
    return keys[0] if d * gap > 0 else keys[1]


def _comparison_lines(ind: IndicatorEntry, card: Card, geo_name: str, lang: str) -> list[str]:
    comp = card.comparison or CardComparison()
    direction = card.direction or ind.direction
    year = _year(comp.year)
    lines = []
    eu, gap = comp.eu_value, comp.gap_to_eu
    if eu is not None and gap is not None:
        keys = ("narrative.card.eu_ahead", "narrative.card.eu_behind", "narrative.card.eu_level")
        amount = _amount(abs(gap), ind, lang, signed=False)
        eu_text = _plain(eu, ind, lang)
        lines.append(t(_gap_key(gap, direction, keys), lang, year=year, eu=eu_text, geo=geo_name, gap=amount))
    if comp.rank is not None and comp.n_ranked:
        lines.append(t("narrative.card.rank", lang, geo=geo_name, rank=comp.rank, n=comp.n_ranked, year=year))
    return lines + _neighbour_lines(ind, comp, direction, geo_name, lang)


def _neighbour_lines(
    ind: IndicatorEntry, comp: CardComparison, direction: str | None, geo_name: str, lang: str
) -> list[str]:
    code, value, gap = comp.best_neighbour, comp.best_neighbour_value, comp.gap_to_best_neighbour
    if not code or value is None or gap is None:
        return []
    name = t(NEIGHBOUR_KEYS[code], lang) if code in NEIGHBOUR_KEYS else code
    keys = (
        "narrative.card.neighbour_ahead",
        "narrative.card.neighbour_behind",
        "narrative.card.neighbour_level",
    )
    amount = _amount(abs(gap), ind, lang, signed=False)
    value_text = _plain(value, ind, lang)
    return [t(_gap_key(gap, direction, keys), lang, name=name, value=value_text, geo=geo_name, gap=amount)]


def method_text(lang: str = DEFAULT_LANG, current_year: int | None = None) -> str:
    """The method in plain words (markdown), with the thresholds the code uses, formatted for `lang`."""
    now = current_year or date.today().year
    return t(
        "methodology.body",
        lang,
        window=WINDOW_YEARS,
        on_track=fmt_number(ON_TRACK_RATIO, lang, 2),
        moderate=fmt_number(MODERATE_RATIO, lang, 2),
        growth=fmt_number(DIRECTION_ONLY_THRESHOLD * 100, lang, 0),
        exponent=fmt_number(LIMIT_EXPONENT, lang, 2),
    ) + t(
        "methodology.currency",
        lang,
        stale_years=STALE_AFTER_YEARS,
        stale_year=now - STALE_AFTER_YEARS - 1,
        now=now,
        strong=STRONG_EVIDENCE,
        share=fmt_value(STRONG_EVIDENCE_SHARE * 100, True, lang, 0),
    )
