"""Warehouse rows (reports.py's SQL) → typed contracts: scorecard JSON v1, calculation cards, specs.

These models sit in pipelines/ because they are what the warehouse hands its readers: reports.py builds them
where a SQL row enters Python, and the presentation, the app and the command line read attributes, never keys.
The method (indicators/assess.py) keeps building its card as a plain dict while it computes; the card is
typed when it comes back out of the warehouse, which is also where a NaN becomes None, once.

`Scorecard.model_dump(mode="json")` is the published JSON (`aiplan scorecard --json`) byte for byte, and
`scorecard_schema()` its JSON Schema (committed as pipelines/scorecard.schema.json, checked against the
models).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from indicators.model import CommissionRow, Indicator
from indicators.vocabulary import Direction, Lang, Pace, Status, StatusKind

SCORECARD_VERSION = 3


def _finite(v: Any) -> Any:
    """NaN and infinities are no numbers to print: None (JSON has no NaN either)."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


# A float or None, never NaN; Number keeps an integer an integer (2030 stays 2030 in the JSON, not 2030.0).
Float = Annotated[float | None, BeforeValidator(_finite)]
Number = Annotated[int | float | None, BeforeValidator(_finite)]
Scope = Literal["eu", "be"]
Confidence = Literal["firm", "to_confirm"]


class Contract(BaseModel):
    """Unknown keys refused, so that a renamed column or card key fails here, naming the field."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# ---------------------------------------------------------------- the calculation card


class CardObservation(Contract):
    year: float
    value: float
    flag: str | None = None


class CardComparison(Contract):
    """indicators.assess.Comparison as stored: the EU value, rank and gaps in the latest year."""

    eu_value: Float = None
    eu_year: Number = None
    rank: int | None = None
    n_ranked: int | None = None
    gap_to_eu: Float = None
    best_neighbour: str | None = None
    best_neighbour_value: Float = None
    gap_to_best_neighbour: Float = None
    year: Number = None


class CardCurrency(Contract):
    latest_year: Number = None
    current_year: int
    stale: bool
    stale_before: int


class Card(Contract):
    """The calculation card: every input and intermediate value of a status (methodology.md).

    A card without an assessment (no data, an unknown target value) holds only a few of these keys; the
    others read as their defaults. It is dumped with the keys it was read with, in their stored order,
    because that order is part of the published bytes.
    """

    # Only method and status are in every card: the schema requires those, not the defaults.
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    method: str
    direction: Direction | None = None
    window: int | None = None
    base_year: int | None = None
    start_rule: Literal["window", "base_year"] | None = None
    observations: list[CardObservation] = []
    dropped_years: list[Number] = []
    duplicate_years: list[Number] = []
    n_obs_total: int = 0
    n_obs: int = 0
    start_year: Number = None
    start_value: Float = None
    start_outside_window: bool | None = None
    latest_year: Number = None
    latest_value: Float = None
    pace: Pace | None = None
    sign: int | None = None
    actual_rate: Float = None
    required_rate: Float = None
    ratio: Float = None
    growth: Float = None
    threshold: Float = None
    threshold_basis: str | None = None
    limit: Float = None
    limit_exponent: Float = None
    limit_factor: Float = None
    target_value: Number = None
    target_year: Number = None
    target_met_latest: bool | None = None
    target_year_passed: bool | None = None
    projected_value: Float = None
    year_reached: Float = None
    pace_needed: Float = None
    pp_needed_per_year: Float = None
    pp_actual_per_year: Float = None
    break_in_window: bool = False
    break_years: list[Number] = []
    flags_start: list[str] = []
    flags_latest: list[str] = []
    notes: list[str] = []
    reason: str | None = None
    status: Status
    comparison: CardComparison | None = None
    is_percent: bool | None = None
    comparable_from: int | None = None
    currency: CardCurrency | None = None

    _keys: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_keys(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Card:
        card = handler(data)
        if isinstance(data, dict):
            card._keys = tuple(data)
        return card

    @model_serializer(mode="wrap")
    def _as_stored(self, handler: SerializerFunctionWrapHandler) -> Any:
        out = handler(self)
        return {k: out[k] for k in self._keys or out if k in out}

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        # The stored-order serializer changes no key's type: publish the fields' schema, not "any".
        model = core_schema["schema"] if core_schema.get("type") == "function-wrap" else core_schema
        return handler({k: v for k, v in model.items() if k != "serialization"})

    @property
    def stale(self) -> bool:
        return bool(self.currency and self.currency.stale)


# ---------------------------------------------------------------- one indicator of the scorecard


class EntryTarget(Contract):
    """The catalogue's target in the reader's language (its note translated)."""

    value: Float = None
    year: int
    scope: Scope
    document: str
    article: str | None = None
    confidence: Confidence
    note: str | None = None
    commission_row: CommissionRow | None = None


class EntryReferenceLevel(Contract):
    value: float
    year: int | None = None
    scope: Scope
    document: str
    confidence: Confidence


class Release(Contract):
    """The publisher's next release expected to bring a first trend."""

    data_year: int
    month: str
    publisher: str
    basis: str
    confidence: Confidence


class IndicatorEntry(Contract):
    """One indicator for one geo: value, EU position, target, status and its calculation card."""

    id: str
    title: str
    unit: str
    direction: Direction
    source: str = ""
    dataset: str = ""
    codes: dict[str, str] = {}
    series_key: str | None = None
    data: Literal["available", "not_in_warehouse"]
    upstream_updated: str | None = None
    latest_period: str | None = None
    latest_year: Number = None
    stale: bool = False
    value: Float = None
    flag: str | None = None
    eu_geo: str = "EU27_2020"
    eu_value: Float = None
    rank: int | None = None
    n_ranked: int | None = None
    position: Literal["better", "worse", "level"] | None = None
    gap_to_eu: Float = None
    best_neighbour: str | None = None
    best_neighbour_value: Float = None
    target: EntryTarget | None = None
    reference_levels: list[EntryReferenceLevel] = []
    direction_only: str | None = None
    next_release: Release | None = None
    geos: Literal["eu27"] | list[str] = "eu27"
    notes: list[str] = []
    status_kind: StatusKind = "target"
    status: Status
    card: Card | None = None
    origins: list[str] = []

    @property
    def current_year(self) -> int | None:
        """The year the card's currency was judged in (the build's), when there is a card."""
        return self.card.currency.current_year if self.card and self.card.currency else None


# ---------------------------------------------------------------- objectives and the document


class Evidence(Contract):
    level: Literal["strong", "limited", "none"]
    n_indicators: int
    n_assessed: int
    n_current: int
    n_stale: int
    current_year: int
    first_year: int | None = None
    last_year: int | None = None


class Headline(Contract):
    id: str
    status: Status | None = None
    status_kind: StatusKind | None = None


class ObjectiveEntry(Contract):
    number: int
    id: str
    title: str
    status: Status
    status_kind: StatusKind
    mean_score: Float = None
    counts: dict[Status, int] | None = None
    n_without_data: int | None = None
    n_assessed: int | None = None
    n_current: int = 0
    evidence: Evidence | None = None
    headline: Headline | None = None
    indicators: list[IndicatorEntry] = []
    next_release: Release | None = None


class DataCurrency(Contract):
    latest_year_oldest: int | None = None
    latest_year_newest: int | None = None
    newest_upstream_update: str | None = None


class Scorecard(Contract):
    """`aiplan scorecard --json`: the nine objectives for a geo in one language (README "Scorecard JSON")."""

    version: Literal[3] = SCORECARD_VERSION
    geo: str
    lang: Lang
    built_at: str | None = None
    built_from: str | None = None
    data: DataCurrency
    objectives: list[ObjectiveEntry]

    def indicators(self) -> Iterator[IndicatorEntry]:
        return (i for o in self.objectives for i in o.indicators)

    def indicator(self, indicator_id: str) -> IndicatorEntry | None:
        return next((i for i in self.indicators() if i.id == indicator_id), None)

    def to_json(self) -> str:
        """The published bytes: the document as `aiplan scorecard --json` prints it."""
        return json.dumps(self.model_dump(mode="json"), indent=1, ensure_ascii=False)


def scorecard_schema() -> dict:
    """The JSON Schema (draft 2020-12) of `aiplan scorecard --json`, generated from the models."""
    schema = Scorecard.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# ---------------------------------------------------------------- catalogue entries (reports.indicator_specs)


class IndicatorSpec(Contract):
    """A catalogue entry as the warehouse holds it: the indicator and where its series stands."""

    id: str
    objective: int
    headline: bool
    series_key: str | None = None
    resolution: str
    resolution_msg: str | None = None
    first_period: str | None = None
    last_period: str | None = None
    spec: Indicator


# ---------------------------------------------------------------- what changed since a date (reports.changes)

ChangeKind = Literal["new", "revised", "status"]
CHANGE_KINDS: tuple[str, ...] = ("new", "revised", "status")


class UpstreamDates(Contract):
    """The publisher's update dates as stated: before (a revised value's old one) and after."""

    old: str | None = None
    new: str | None = None


class ChangeRow(Contract):
    """One row of `aiplan changes --json`: a new observation, a revised value or a status change.

    `old`/`new` are values in the indicator's display unit (new: `old` is null; a withdrawn value: `new` is
    null) or, for a status change, status codes; `seen_at` is when the project saw it (UTC, with offset)."""

    indicator: str
    geo: str
    kind: ChangeKind
    period: str | None = None
    old: Annotated[float | str | None, BeforeValidator(_finite)] = None
    new: Annotated[float | str | None, BeforeValidator(_finite)] = None
    upstream_updated: UpstreamDates
    seen_at: str
