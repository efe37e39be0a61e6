"""Source name → publisher, licence and attribution line shown with every number from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    publisher: str
    licence: str
    attribution: str  # format string with {dataset}


SOURCES: dict[str, Source] = {
    "eurostat": Source(
        "eurostat",
        "Eurostat",
        "CC BY 4.0 (Commission Decision 2011/833/EU)",
        "Source: Eurostat, {dataset} (© European Union)",
    ),
    "desi": Source(
        "desi",
        "European Commission, DG CONNECT",
        "CC BY 4.0 (Commission Decision 2011/833/EU)",
        "Source: European Commission, DESI 2022 ({dataset})",
    ),
    "statbel": Source(
        "statbel",
        "Statbel (Directorate-General Statistics – Statistics Belgium)",
        "CC BY 4.0",
        "Source: Statbel, {dataset}",
    ),
}


def attribution(source: str, dataset: str) -> str:
    return SOURCES[source].attribution.format(dataset=dataset)
