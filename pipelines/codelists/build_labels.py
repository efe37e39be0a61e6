"""Real payloads, publisher code lists, DESI metadata and our translations → eurostat_labels.csv (English, the
readers' label → code map) and labels.csv (every language, what the warehouse and the reader see).

Usage: python pipelines/codelists/build_labels.py [--raw-dir DIR] [--desi-metadata DIR] [--check]

Rows come from two places, and each says where in its `evidence` column:
- payloads that carry both codes and labels (SDMX-CSV 2.0 "codes and labels", JSON-stat
  `dimension.<dim>.category.label`): evidence is the payload file name;
- codes that no payload here carries next to its label, confirmed by hand in public sources and
  listed in EXTERNAL below: evidence is `repository:path` of the source that shows code and label.

labels.csv (source, dimension, code, lang, label, origin, evidence) takes, for each (source, dimension, code,
lang), the first of: a payload's own label; Eurostat's SDMX code lists (publisher_eurostat.csv, written by
`aiplan codelists fetch`: EN, FR, DE); the Commission's DESI metadata (EN); a hand-confirmed third-party copy
(origin `third_party`: databrowser_labels.csv, EXTERNAL, eurostat_labels_extra.csv); our own translation
(translations_ours.csv, origin `ours`: Dutch always, FR/DE where no publisher file here has the code).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from pipelines.readers import sdmx_csv  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "eurostat_labels.csv"
COLUMNS = ["dimension", "code", "label", "evidence"]
LABELS = HERE / "labels.csv"
LABEL_COLUMNS = ["source", "dimension", "code", "lang", "label", "origin", "evidence"]
PUBLISHER = HERE / "publisher_eurostat.csv"
THIRD_PARTY = [HERE / "databrowser_labels.csv", HERE / "eurostat_labels_extra.csv"]
OURS = HERE / "translations_ours.csv"
# Our rows say what they are: a translation where the publisher has the code in another language, our own
# wording where no publisher label exists here at all (a few dimension names).
OURS_EVIDENCE = {
    "en": "our wording: no publisher label here",
    "*": "our translation: no publisher label in this language here",
}
# DESI metadata file → the dimension of the DESI facts whose codes it names
DESI_FILES = {"indicator.json": "indicator", "breakdown.json": "breakdown", "unit.json": "unit"}
DESI_DIMENSION_NAMES = {"indicator": "Indicator", "breakdown": "Breakdown", "unit": "Unit of measure"}
_TIME_DIMS = {"time", "TIME_PERIOD"}

_DICS = "healthfacts/dictionaries_eurostat_hlth:indic_is.dic"
_UNITS = "amanfucci/sistemi-informativi:dsd/isoc_cisci_prv20.md"
# Codes used by isoc_sk_dskl_i21.sdmx_labels.csv that no local payload pairs with a label. Each was read
# in the cited file with exactly this English label (Eurostat dissemination codelists / .dic exports).
# A code leaves this list once a payload in ../shared pairs it with its label (the third pass brought
# geo CH, IS, EA, ind_type IND_TOTAL and unit PC_IND in Data Browser SDMX-CSV 2.0 downloads).
EXTERNAL = [
    ("unit", "PC_IND_IU3", "Percentage of individuals who used internet in the last 3 months", _UNITS),
    (
        "indic_is",
        "I_DSK2_BAB",
        "Individuals with basic or above basic overall digital skills "
        "(all five component indicators are at basic or above basic level)",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_AB",
        "Individuals with above basic overall digital skills "
        "(all five component indicators are at above basic level)",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_B",
        "Individuals with basic overall digital skills (all five component indicators are at basic "
        "or above basic level, without being all above basic)",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_LW",
        "Individuals with low overall digital skills "
        "(four out of five component indicators are at basic or above basic level)",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_N",
        "Individuals with narrow overall digital skills "
        "(three out of five component indicators are at basic or above basic level)",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_LM",
        "Individuals with limited overall digital skills "
        "(two out of five component indicators are at basic or above basic level)",
        _DICS,
    ),
    ("indic_is", "I_DSK2_X", "Individuals with no overall digital skills", _DICS),
    (
        "indic_is",
        "I_DSK2_NA",
        "Digital skills could not be assessed because the individual has not used the internet "
        "in the last 3 months",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_IL_BAB",
        "Individuals with basic or above basic information and data literacy skills",
        _DICS,
    ),
    ("indic_is", "I_DSK2_IL_AB", "Individuals with above basic information and data literacy skills", _DICS),
    ("indic_is", "I_DSK2_IL_B", "Individuals with basic information and data literacy skills", _DICS),
    (
        "indic_is",
        "I_DSK2_CC_BAB",
        "Individuals with basic or above basic communication and collaboration skills",
        _DICS,
    ),
    (
        "indic_is",
        "I_DSK2_CC_AB",
        "Individuals with above basic communication and collaboration skills",
        _DICS,
    ),
    ("indic_is", "I_DSK2_CC_B", "Individuals with basic communication and collaboration skills", _DICS),
    ("indic_is", "I_DSK2_IC_S", "Individuals with online information and communication skills", _DICS),
    (
        "indic_is",
        "I_DSK2_DCC_BAB",
        "Individuals with basic or above basic digital content creation skills",
        _DICS,
    ),
    ("indic_is", "I_DSK2_DCC_AB", "Individuals with above basic digital content creation skills", _DICS),
    ("indic_is", "I_DSK2_DCC_B", "Individuals with basic digital content creation skills", _DICS),
    ("indic_is", "I_DSK2_SF_BAB", "Individuals with basic or above basic safety skills", _DICS),
    ("indic_is", "I_DSK2_SF_AB", "Individuals with above basic safety skills", _DICS),
    ("indic_is", "I_DSK2_SF_B", "Individuals with basic safety skills", _DICS),
    ("indic_is", "I_DSK2_PS_BAB", "Individuals with basic or above basic problem solving skills", _DICS),
    ("indic_is", "I_DSK2_PS_AB", "Individuals with above basic problem solving skills", _DICS),
    ("indic_is", "I_DSK2_PS_B", "Individuals with basic problem solving skills", _DICS),
]


def _shared() -> Path:
    return Path(os.environ.get("AIPLAN_SHARED", ROOT.parent / "shared"))


def default_raw_dir() -> Path:
    return _shared() / "data" / "raw" / "eurostat"


def default_desi_dir() -> Path:
    return _shared() / "data" / "recordings" / "desi_metadata"


def sdmx_rows(path: Path) -> pd.DataFrame:
    """Code/label pairs of an SDMX-CSV 2.0 "codes and labels" payload (read by the reader itself)."""
    labels = sdmx_csv.read(path).labels
    return labels.assign(evidence=path.name)[COLUMNS]


def jsonstat_rows(path: Path) -> pd.DataFrame:
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        (dim, code, label, path.name)
        for dim in doc["id"]
        if dim not in _TIME_DIMS
        for code, label in doc["dimension"][dim]["category"].get("label", {}).items()
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _is_sdmx_with_labels(path: Path) -> bool:
    # Only payloads that carry codes next to labels; a labels-only file needs this list to be read.
    with path.open(encoding="utf-8-sig") as fh:
        return fh.readline().startswith("STRUCTURE,")


def build(raw_dir: Path) -> pd.DataFrame:
    frames = [sdmx_rows(p) for p in sorted(raw_dir.glob("*.csv")) if _is_sdmx_with_labels(p)]
    frames += [jsonstat_rows(p) for p in sorted(raw_dir.glob("*.jsonstat.json"))]
    frames.append(pd.DataFrame(EXTERNAL, columns=COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    # One row per (dimension, code, label): the first payload (by file name) that shows it is the evidence.
    table = table.drop_duplicates(["dimension", "code", "label"], keep="first")
    # Eurostat reuses some labels (nace_r2 D and D35 are both "Electricity, gas, ..."): such rows stay,
    # and the SDMX-CSV reader refuses to map them rather than pick one.
    clashes = table.groupby(["dimension", "label"])["code"].nunique()
    for dim, label in clashes[clashes > 1].index:
        print(f"note: {dim} label {label!r} has several codes", file=sys.stderr)
    return table.sort_values(["dimension", "code", "label"], kind="stable").reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def desi_rows(desi_dir: Path, used: set[tuple[str, str, str]]) -> pd.DataFrame:
    """English names of the DESI codes we use, from the Commission's own metadata (Django fixtures)."""
    rows = []
    for name, dim in DESI_FILES.items():
        path = desi_dir / name
        for rec in json.loads(path.read_text(encoding="utf-8")):
            f = rec["fields"]
            if ("desi", dim, f["code"]) in used and f["label"].strip():
                rows.append(
                    ("desi", dim, f["code"], "en", f["label"].strip(), "publisher", f"desi_metadata/{name}")
                )
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def _eurostat(frame: pd.DataFrame) -> pd.DataFrame:
    """dimension, code, label, evidence (English) → LABEL_COLUMNS; a payload file name is the publisher's,
    `owner/repo:path` a third party's copy."""
    out = frame.assign(source="eurostat", lang="en")
    third = out.evidence.str.contains(":", regex=False)
    out["origin"] = third.map({True: "third_party", False: "publisher"})
    return out[LABEL_COLUMNS]


def build_all(english: pd.DataFrame, desi_dir: Path, snapshot_dir: Path) -> pd.DataFrame:
    """Every source of labels, in order of trust, → one label per (source, dimension, code, lang)."""
    from pipelines.codelists.in_use import codes_in_use

    used = codes_in_use(snapshot_dir)
    ours = _read(OURS).assign(origin="ours")
    ours["evidence"] = ours.lang.map(lambda lg: OURS_EVIDENCE.get(lg, OURS_EVIDENCE["*"]))
    frames = [
        _eurostat(english[~english.evidence.str.contains(":", regex=False)]),
        _read(PUBLISHER).assign(source="eurostat")[LABEL_COLUMNS],
        desi_rows(desi_dir, used),
        *(_eurostat(_read(p)) for p in THIRD_PARTY),
        _eurostat(english[english.evidence.str.contains(":", regex=False)]),
        ours[LABEL_COLUMNS],
    ]
    table = pd.concat(frames, ignore_index=True)
    table = table.drop_duplicates(["source", "dimension", "code", "lang"], keep="first")
    return table.sort_values(["source", "dimension", "code", "lang"], kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=default_raw_dir())
    parser.add_argument("--desi-metadata", type=Path, default=default_desi_dir())
    parser.add_argument("--snapshot-dir", type=Path, default=ROOT / "data" / "snapshot")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--labels-out", type=Path, default=LABELS)
    parser.add_argument("--check", action="store_true", help="fail if the files differ from a fresh build")
    args = parser.parse_args(argv)
    table = build(args.raw_dir)
    labels = build_all(table, args.desi_metadata, args.snapshot_dir)
    if args.check:
        stale = [p for p, t in ((args.out, table), (args.labels_out, labels)) if not _read(p).equals(t)]
        for path in stale:
            print(f"{path} is stale: rerun {Path(__file__).name}", file=sys.stderr)
        return 1 if stale else 0
    table.to_csv(args.out, index=False, lineterminator="\n")
    labels.to_csv(args.labels_out, index=False, lineterminator="\n")
    print(f"wrote {len(table)} rows to {args.out}, {len(labels)} to {args.labels_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
