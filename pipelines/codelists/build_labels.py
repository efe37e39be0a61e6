"""Real Eurostat payloads + externally confirmed codes → pipelines/codelists/eurostat_labels.csv.

Usage: python pipelines/codelists/build_labels.py [--raw-dir DIR] [--check]

Rows come from two places, and each says where in its `evidence` column:
- payloads that carry both codes and labels (SDMX-CSV 2.0 "codes and labels", JSON-stat
  `dimension.<dim>.category.label`): evidence is the payload file name;
- codes that no payload here carries next to its label, confirmed by hand in public sources and
  listed in EXTERNAL below: evidence is `repository:path` of the source that shows code and label.
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

OUT = Path(__file__).resolve().with_name("eurostat_labels.csv")
COLUMNS = ["dimension", "code", "label", "evidence"]
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


def default_raw_dir() -> Path:
    shared = Path(os.environ.get("AIPLAN_SHARED", ROOT.parent / "shared"))
    return shared / "data" / "raw" / "eurostat"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=default_raw_dir())
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out differs from a fresh build")
    args = parser.parse_args(argv)
    table = build(args.raw_dir)
    if args.check:
        current = pd.read_csv(args.out, dtype=str, keep_default_na=False)
        if not current.equals(table):
            print(f"{args.out} is stale: rerun {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    table.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {len(table)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
