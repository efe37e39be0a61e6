"""Pydantic models of the catalogue: objectives, indicators, targets (unknown keys refused)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from indicators.units import UNITS
from indicators.vocabulary import EU_AGGREGATE, Direction

SOURCES = ("eurostat", "desi", "statbel")
# Validation context of a spec read back from the warehouse: target values read from the Commission's rows.
RESOLVED = "resolved_targets"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Translated(_Strict):
    """A text in every language of the vocabulary's LANGS (the committee's three, English the fallback)."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)
    de: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class PartlyTranslated(_Strict):
    """English required; the other languages fall back to English until translated."""

    en: str = Field(min_length=1)
    fr: str | None = None
    nl: str | None = None
    de: str | None = None

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class Document(Translated):
    """The instrument that sets a target or level, by its official title in each language (EUR-Lex's for an
    EU act), so that a reader can look it up in their own language."""

    en: str = Field(min_length=8)
    fr: str = Field(min_length=8)
    nl: str = Field(min_length=8)
    de: str = Field(min_length=8)


class Objective(_Strict):
    number: int = Field(ge=1, le=9)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Translated
    description: Translated


class CommissionRow(_Strict):
    """The Commission's own row stating an EU 2030 target in its DESI facts (breakdown dd_target_2030)."""

    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    unit: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    breakdown: str = "dd_target_2030"

    def series_key(self) -> str:
        return f"breakdown={self.breakdown}|indicator={self.indicator}|unit={self.unit}"


class Target(_Strict):
    """A quantified target and the instrument that sets it.

    The value is either taken from the Commission's own target row (`commission_row`, read from the DESI
    facts when the warehouse is built) or, where no such row exists, given with its document.
    """

    value: float | None = None
    commission_row: CommissionRow | None = None
    year: int = Field(ge=2000, le=2100)
    scope: Literal["eu", "be"]  # an EU-wide target is never shown as a Belgian commitment
    document: Document
    article: str | None = None
    confidence: Literal["firm", "to_confirm"]
    note: Translated | None = None  # read by ministers beside the target: in their language

    @model_validator(mode="after")
    def _one_source_of_value(self, info: ValidationInfo) -> Target:
        # In the warehouse a value read from the Commission's row sits beside that row (read back with the
        # context RESOLVED); in the catalogue exactly one of them is given.
        resolved = bool(info.context and info.context.get(RESOLVED))
        if self.value is None and self.commission_row is None:
            raise ValueError("give the target's 'value' or its 'commission_row', exactly one of them")
        if self.value is not None and self.commission_row is not None and not resolved:
            raise ValueError("give the target's 'value' or its 'commission_row', exactly one of them")
        return self


class ReferenceLevel(_Strict):
    """A level shown on charts for context, not used for the status (e.g. a level still to confirm)."""

    value: float
    year: int | None = Field(default=None, ge=2000, le=2100)
    scope: Literal["eu", "be"]
    document: Document
    article: str | None = None
    confidence: Literal["firm", "to_confirm"]
    note: Translated | None = None


class DirectionOnly(_Strict):
    reason: str = Field(min_length=10)


class Supplement(_Strict):
    """The same statistic published by another source (e.g. the Commission's DESI record of a Eurostat
    figure), used only for the periods the indicator's own dataset does not have: never to replace one of
    its values. Where both have a period, the two must agree (tested)."""

    source: Literal["eurostat", "desi", "statbel"]
    dataset: str = Field(pattern=r"^[a-z0-9_]+$")
    series: dict[str, str] = Field(min_length=1)
    multiplier: float = 1.0
    eu_geo: str = EU_AGGREGATE  # its EU aggregate code, shown under the indicator's own


class NextRelease(_Strict):
    """What the next publication brings an indicator with too few years for a trend, and when."""

    data_year: int = Field(ge=2000, le=2100)  # the survey or reference year it adds
    month: str = Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")  # YYYY-MM, from the publisher's calendar
    publisher: Translated  # who publishes it, in the reader's language
    basis: str = Field(min_length=10)  # where the month comes from, for whoever checks it
    confidence: Literal["firm", "to_confirm"]


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    objective: int  # checked against objectives.yaml by the catalogue loader
    title: Translated
    definition: PartlyTranslated
    unit: str
    direction: Direction
    source: Literal["eurostat", "desi", "statbel"]
    dataset: str = Field(pattern=r"^[a-z0-9_]+$")
    series: dict[str, str] = Field(min_length=1)  # dimension → code, selecting exactly one series
    multiplier: float = 1.0  # e.g. 100 for DESI shares published as fractions
    geos: Literal["eu27"] | list[str] = "eu27"
    eu_geo: str = EU_AGGREGATE  # the EU aggregate code in this dataset
    headline: bool = False
    target: Target | None = None
    direction_only: DirectionOnly | None = None
    reference_levels: list[ReferenceLevel] = []
    limit: float | None = None  # natural limit, e.g. 100 for a share
    comparable_from: int | None = Field(default=None, ge=1900, le=2100)  # definition changed before this year
    proxy: Translated | None = None  # why it stands in for what the objective means; shown to every reader
    source_choice: str | None = None  # when another source measures the same, which one and why
    supplements: list[Supplement] = []  # the same statistic from another source, for periods not in ours
    # Quarterly data assessed on annual means of complete years (charts keep the quarters).
    annual_from_quarters: bool = False
    # False for a count (a large country has more of everything): no EU rank, no EU value beside it.
    comparable_across_geos: bool = True
    next_release: NextRelease | None = None
    # A context indicator (e.g. the employment rate beside training) is shown and assessed, never counted in
    # its objective's status: alone it would speak for an objective it does not measure.
    counts_for_objective: bool = True
    notes: list[Translated] = []  # for every reader, in their language
    # For analysts and administrators (how the bundled data were obtained, what a refresh adds): never on the
    # ministers' pages.
    technical_notes: list[str] = []

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        if v not in UNITS:
            raise ValueError(f"unknown unit {v!r}; known: {', '.join(sorted(UNITS))}")
        return v

    @field_validator("series")
    @classmethod
    def _codes(cls, v: dict[str, str]) -> dict[str, str]:
        for dim, code in v.items():
            if not dim or not isinstance(code, str) or not code:
                raise ValueError(f"dimension {dim!r} needs a code")
            if dim in ("geo", "time", "TIME_PERIOD"):
                raise ValueError(f"{dim!r} is not a series dimension (geos are chosen separately)")
        return v

    @model_validator(mode="after")
    def _target_or_direction(self) -> Indicator:
        if (self.target is None) == (self.direction_only is None):
            raise ValueError(
                "give either 'target' or 'direction_only' (with its reason), not both nor neither"
            )
        return self

    def as_published_in(self, sup: Supplement) -> Indicator:
        """This indicator as the supplement's source publishes it (its dataset, codes, scale)."""
        fields = {"source": sup.source, "dataset": sup.dataset, "series": sup.series,
                  "multiplier": sup.multiplier, "eu_geo": sup.eu_geo, "supplements": []}  # fmt: skip
        return self.model_copy(update=fields)

    def publications(self) -> list[Indicator]:
        """The indicator as each of its sources publishes it: its own dataset first, then its supplements."""
        return [self, *(self.as_published_in(s) for s in self.supplements)]

    @property
    def is_percent(self) -> bool:
        return UNITS[self.unit].percent
