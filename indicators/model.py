"""Pydantic models of the catalogue: objectives (and, with the catalogue, indicators and targets)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

LANGS = ("en", "fr", "nl")


class Translated(BaseModel):
    """A text in the three languages of the committee; English is the fallback."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class Objective(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    number: int = Field(ge=1, le=9)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Translated
    description: Translated
