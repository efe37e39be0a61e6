"""Geo code + language → a country name: the message catalogue first, then the publisher's English label."""

from __future__ import annotations

from presentation.i18n import catalogue, t


def display_names(lang: str, upstream: dict[str, str]) -> dict[str, str]:
    """Every code the upstream labels know, named in `lang` where the catalogue has it."""
    names = dict(upstream)
    for lg in ("en", lang):
        for key, text in catalogue(lg).items():
            if key.startswith("geo.name."):
                names[key.removeprefix("geo.name.")] = text
    names["EU27_2020"] = names["EU"] = t("geo.eu27", lang)
    return names
