"""Source name → publisher, licence and attribution line shown with every number from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    publisher: str
    licence: str
    attribution: str  # format string with {dataset} and {name}; the word "Source" is the reader's language's


SOURCES: dict[str, Source] = {
    "eurostat": Source(
        "eurostat",
        "Eurostat",
        "CC BY 4.0 (Commission Decision 2011/833/EU)",
        "Eurostat, {dataset} (© European Union)",
    ),
    "desi": Source(
        "desi",
        "European Commission, DG CONNECT",
        "CC BY 4.0 (Commission Decision 2011/833/EU)",
        "European Commission, {name} ({dataset})",
    ),
    "statbel": Source(
        "statbel",
        "Statbel (Directorate-General Statistics – Statistics Belgium)",
        "CC BY 4.0",
        "Statbel, {dataset}",
    ),
}


# What a publisher calls a dataset where its code alone does not say it.
NAMES: dict[tuple[str, str], str] = {
    ("desi", "desi_2022"): "DESI 2022",
    ("desi", "desi_facts"): "Digital Decade (DESI) database",
}


def attribution(source: str, dataset: str) -> str:
    """'Eurostat, isoc_eb_ai (© European Union)': who publishes the numbers and under which code."""
    return SOURCES[source].attribution.format(dataset=dataset, name=NAMES.get((source, dataset), dataset))
