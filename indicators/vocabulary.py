"""The project's shared words → one definition each: statuses, languages, geographies, the assessment window.

Every module that names a status, a language, the EU-27 or Belgium's neighbours imports it from here; the
warehouse's CHECK constraints and the published JSON Schema are generated from the same tuples.
"""

from __future__ import annotations

from typing import Literal, get_args

# ---------------------------------------------------------------- statuses (methodology.md, "Status")

Status = Literal["target_met", "on_track", "moderate", "insufficient", "moving_away", "insufficient_data"]
# Best first: the order of counts, legends and keys everywhere.
STATUSES: tuple[Status, ...] = get_args(Status)
# A target status is measured against a target; a direction status only says which way the series moves.
StatusKind = Literal["target", "direction"]
STATUS_KINDS: tuple[StatusKind, ...] = get_args(StatusKind)
# The statuses a direction-only indicator can have (besides insufficient_data): improving, little change,
# worsening. Never "insufficient progress" or "target met", which are target words.
DIRECTION_STATUSES: tuple[Status, ...] = ("on_track", "moderate", "moving_away")
NO_STATUS: Status = "insufficient_data"

Direction = Literal["increase", "decrease"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
Pace = Literal["cagr", "linear"]

# ---------------------------------------------------------------- languages

# The committee's languages (Belgium's three official languages) and English, the fallback.
Lang = Literal["en", "fr", "nl", "de"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "en"


def lang_or_default(lang: str | None) -> Lang:
    """A supported language code, else the default (user input never selects a missing translation)."""
    return lang if lang in LANGS else DEFAULT_LANG  # type: ignore[return-value]


# ---------------------------------------------------------------- geographies (Eurostat's codes)

# Greece is EL (not GR).
EU27: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
EU_AGGREGATE = "EU27_2020"  # the default EU aggregate; an indicator may name another (`eu_geo`)
HOME = "BE"
NEIGHBOURS: tuple[str, ...] = ("NL", "FR", "DE", "LU")


def peers_of(geo: str) -> list[str]:
    """Belgium and its neighbours, less `geo` itself: the comparison set of every chart and card."""
    return [g for g in (HOME, *NEIGHBOURS) if g != geo]


# ---------------------------------------------------------------- the assessment window (methodology.md)

WINDOW_YEARS = 5  # the trend is measured over the latest observation's five preceding years
# A latest observation more than this many years before the current year is stale: shown, marked, and never
# enough on its own to give an objective a status (today, 2026: 2022 or earlier).
STALE_AFTER_YEARS = 3

# ---------------------------------------------------------------- words the warehouse stores (its CHECKs)

# Where an indicator stands against its EU value, in its wanted direction.
Position = Literal["better", "worse", "level"]
POSITIONS: tuple[Position, ...] = get_args(Position)
# Whether the catalogue's codes found the indicator's series in the warehouse.
ResolutionStatus = Literal["ok", "no_dataset", "no_series"]
RESOLUTIONS: tuple[ResolutionStatus, ...] = get_args(ResolutionStatus)

# ---------------------------------------------------------------- action lines (indicators/actions.yaml)

# Where an action line stands, from dated evidence; `unknown` (no evidence found) is the default and never a
# failure. In display order.
ActionStatus = Literal["done", "in_progress", "not_started", "superseded", "dropped", "unknown"]
ACTION_STATUSES: tuple[ActionStatus, ...] = get_args(ActionStatus)
NO_ACTION_STATUS: ActionStatus = "unknown"
# How surely a public source ties the line to the plan (plan_actions.md): A a source describing the plan names
# it; B a thematic summary of the objective; C a later source links an implementation item to the plan.
ActionConfidence = Literal["A", "B", "C"]
ACTION_CONFIDENCES: tuple[ActionConfidence, ...] = get_args(ActionConfidence)
# What a piece of evidence is: an act in the Belgian Official Journal, a government page or press release,
# a parliamentary record, a press article.
EvidenceKind = Literal["official_journal", "government", "parliament", "press"]
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)
