"""Text a reader sees + its language → the signs that it is not all in that language: English tell-tale words,
numbers written with a decimal point, dates in ISO form.

Any test can import `telltales(text, lang)`: pages (tests/integration/test_language_telltales.py), and later
the exports once read back as text (XLSX cells, CSV, PDF text, PPTX and DOCX runs, SVG <text>).
"""

from __future__ import annotations

import re

# English words that are no word of French, Dutch or German, so seeing one in those languages means an
# untranslated text. A few are also words of one of them: they are tell-tales in the other languages only.
# Matched as whole words in lower case or capitalised; a word in capitals is a code ("AT" is Austria, "IS"
# Iceland), and a `dimension=code` pair is the publisher's codes ("indicator=desi_ai"), not words.
WORDS: dict[str, frozenset[str]] = {
    w: frozenset(also.split())
    for w, also in {
        # function words: the surest sign of an English sentence
        "the": "", "of": "nl", "and": "", "with": "", "by": "", "for": "", "from": "", "than": "",
        "rather": "",
        "only": "", "this": "", "these": "", "which": "", "not": "", "are": "", "has": "", "have": "",
        "been": "", "yet": "", "since": "", "until": "", "between": "", "when": "", "where": "", "there": "",
        "is": "nl", "or": "fr", "on": "fr", "at": "", "to": "", "also": "de", "will": "de", "was": "nl de",
        # the app's own words and the words of its data
        "source": "fr", "sources": "fr", "target": "", "targets": "", "enterprises": "", "enterprise": "",
        "households": "", "household": "", "individuals": "", "persons": "", "people": "", "employed": "",
        "year": "", "years": "", "rows": "", "row": "", "latest": "",
        "download": "nl de", "downloads": "nl de",
        "unknown": "", "stated": "", "updated": "", "built": "", "warehouse": "", "evidence": "",
        "progress": "", "rank": "", "better": "", "worse": "", "lower": "", "higher": "", "period": "",
        "value": "", "values": "", "objective": "", "objectives": "", "indicator": "nl", "indicators": "",
        "decision": "", "regulation": "", "establishing": "", "survey": "", "share": "", "european": "",
        "union": "fr de", "percentage": "nl", "current": "", "stale": "", "track": "", "moderate": "",
        "insufficient": "", "status": "nl de", "dataset": "nl", "datasets": "nl", "title": "", "location": "",
        "started": "", "error": "", "failed": "", "skipped": "", "unchanged": "", "bytes": "nl de",
        "licence": "fr", "attribution": "fr", "observations": "fr", "position": "fr de", "data": "nl",
        "none": "", "null": "de", "true": "", "false": "", "nan": "",
    }.items()
}  # fmt: skip
EXACT = {"NaN"}  # how pandas writes a missing number
_WORD = re.compile(r"\b(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)

# A number with a decimal point: a digit, a point, a digit. What may look like one and is not a number:
# addresses and the version in a format's or licence's name ("CC BY 4.0", "SDMX-CSV 2.0", "sdmx-csv-1.0").
URL = re.compile(r"\b(?:https?|file)://\S+")
VERSIONED_NAME = re.compile(r"(?i)\b(?:CC BY(?:-SA)?|SDMX(?:-CSV|-ML)?|JSON-stat|DOCSIS)[ -]v?\d+(?:\.\d+)+")
CODES = re.compile(r"\b\w+=[\w.-]+")
# Names of things that keep their English name in every language: Eurostat's "Data Browser" is called so on
# its French and German pages too; a survey's English name may follow its translation, as its reference;
# German writes "Big Data" (Eurostat's German questionnaire and Duden), as English does.
PROPER_NAMES = ("Data Browser", "Adult Education Survey", "Big-Data", "Big Data")
# Dutch and German group thousands with a point: 1.234,5 is a well-formed number there, 34.5 is not.
GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
NUMBER = re.compile(r"\d[\d.,]*\d")
GROUPS_WITH_POINT = {"nl", "de"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def telltales(text: str, lang: str) -> list[str]:
    """What in `text` is not written in `lang` (empty for English, the language of the originals)."""
    if lang == "en":
        return []
    text = VERSIONED_NAME.sub(" ", URL.sub(" ", text))
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    words = CODES.sub(" ", text)
    found = [
        f"English word {m.group(0)!r}"
        for m in _WORD.finditer(words)
        if lang not in WORDS[m.group(1).lower()]
        and (m.group(0).islower() or m.group(0).istitle() or m.group(0) in EXACT)
    ]
    for m in NUMBER.finditer(text):
        number = m.group(0).rstrip(".,")
        if "." in number and not (lang in GROUPS_WITH_POINT and GROUPED.match(number)):
            found.append(f"decimal point in {number!r}")
    found += [f"ISO date {m.group(0)!r}" for m in ISO_DATE.finditer(text)]
    return found


def in_context(text: str, lang: str, width: int = 50) -> list[str]:
    """Each tell-tale with the text around it, for a failure message a person can act on."""
    out = []
    for finding in telltales(text, lang):
        needle = finding.split("'")[1]
        at = text.find(needle)
        out.append(f"{finding}: …{text[max(0, at - width) : at + len(needle) + width]}…")
    return out
