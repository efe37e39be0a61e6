"""A dataset's codes + its labels + language → the words a reader sees for a dimension, a code, a series."""

from __future__ import annotations

from dataclasses import dataclass, field

from indicators.series import parse_key
from presentation.i18n import catalogue, t

Labels = dict[tuple[str, str], str]

# Dimensions that only repeat what the dataset says (every series of a dataset has one frequency).
SILENT = frozenset({"freq"})
# Dimensions that say what is measured and in which unit, not who is counted: a target's population is
# given by the others (size class, activity, age, sex...).
MEASURE = frozenset({"freq", "unit", "indic_is", "indic", "indicator", "nrg_bal", "airpol", "measure"})


@dataclass(frozen=True)
class Codes:
    """The labels of one dataset for one reader: the publisher's in the reader's language first, then ours
    (presentation/locales/*/downloads.yaml, for codes the publisher labels in no language or not in this
    one), then the publisher's in another language, and the code itself as the last resort."""

    lang: str
    own: Labels = field(default_factory=dict)  # the publisher's labels in `lang`
    fallback: Labels = field(default_factory=dict)  # the publisher's labels in any language, best first

    def _ours(self, key: str) -> str | None:
        text = catalogue(self.lang).get(key) or catalogue("en").get(key)
        return text if isinstance(text, str) else None

    def dimension(self, dim: str) -> str:
        return (
            self.own.get(("dimension", dim))
            or self._ours(f"code.dim.{dim}")
            or self.fallback.get(("dimension", dim))
            or dim
        )

    def label(self, dim: str, code: str) -> str | None:
        """The code's label, or None when nobody labels it."""
        found = self.own.get((dim, code)) or self._ours(f"code.{dim}.{code}")
        if found:
            return found
        if dim == "cd_age" and code.isdigit():
            # Statbel's age in completed years carries no label column: the number is the label.
            return t("code.age_years", self.lang, count=int(code), n=int(code))
        return self.fallback.get((dim, code))

    def text(self, dim: str, code: str) -> str:
        """A code as a reader reads it: its label, else 'dimension: code' (never a bare code)."""
        return self.label(dim, code) or f"{self.dimension(dim)}: {code}"

    def series(self, key: str) -> str:
        """'0 · 1 · BEL · F · ms_population' becomes '0 years · Single · Belgians · Women · Population'."""
        parts = [self.text(d, c) for d, c in parse_key(key).items() if d not in SILENT]
        return " · ".join(parts) or key

    def described(self, dim: str, code: str) -> str:
        """For metadata: 'size_emp=10-49 (From 10 to 49 persons employed)'."""
        label = self.label(dim, code)
        return f"{dim}={code} ({label})" if label and label != code else f"{dim}={code}"
