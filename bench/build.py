"""Real upstream files → observations/s per format (ours vs plain pandas), and the snapshot build time.

Prints figures; never fails on timing. Needs ../shared (the real payloads); run with `make bench`.
"""

from __future__ import annotations

import gzip
import io
import json
import statistics
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.readers import read_file  # noqa: E402
from pipelines.warehouse import build_from_snapshot  # noqa: E402

RAW = ROOT.parent / "shared" / "data" / "raw"
RUNS = 5
warnings.filterwarnings("ignore", message="Workbook contains no default style")


# ----------------------------------------------------------------- straightforward pandas baselines
# Each does the same job as the reader (tidy rows with value and flag) the way one would write it first:
# row-wise apply and Python loops, no care for speed.


def _split_cell(cell: str) -> tuple[float | None, str]:
    cell = str(cell).strip()
    value, _, flag = cell.partition(" ")
    return (None if value == ":" else float(value)), flag.strip()


def naive_tsv(path: Path) -> int:
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        df = pd.read_csv(fh, sep="\t", dtype=str)
    key_col = df.columns[0]
    long = df.melt(id_vars=[key_col], var_name="period", value_name="cell")
    parsed = long["cell"].apply(_split_cell)
    long["value"] = parsed.apply(lambda t: t[0])
    long["flag"] = parsed.apply(lambda t: t[1])
    long["geo"] = long[key_col].apply(lambda k: k.split(",")[-1])
    long["series_key"] = long[key_col].apply(lambda k: "|".join(k.split(",")[:-1]))
    long = long[long["value"].notna() | (long["flag"] != "")]
    return len(long)


def naive_sdmx_csv(path: Path) -> int:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fixed = ("DATAFLOW", "LAST UPDATE", "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")
    if "STRUCTURE" in df.columns:
        dims = [c for c in df.columns if c.islower() and c != "geo"]
    else:
        dims = [c for c in df.columns if c not in fixed]
    df["series_key"] = df.apply(lambda r: "|".join(f"{d}={r[d]}" for d in sorted(dims)), axis=1)
    df["value"] = df["OBS_VALUE"].apply(lambda v: float(v) if v else None)
    df = df[df["value"].notna() | (df["OBS_FLAG"] != "") | (df["CONF_STATUS"] != "")]
    return len(df)


def naive_jsonstat(path: Path) -> int:
    js = json.loads(path.read_text())
    ids, sizes = js["id"], js["size"]
    pos2code = [{p: c for c, p in js["dimension"][d]["category"]["index"].items()} for d in ids]
    rows = []
    for k in set(js.get("value", {})) | set(js.get("status", {})):
        flat, codes = int(k), {}
        for d, size, lut in reversed(list(zip(ids, sizes, pos2code, strict=True))):
            flat, pos = divmod(flat, size)
            codes[d] = lut[pos]
        rows.append({**codes, "value": js["value"].get(k), "status": js.get("status", {}).get(k)})
    return len(pd.DataFrame(rows))


def naive_xlsx_sheet(sheet: str, header: int | None):
    def run(path: Path) -> int:
        df = pd.read_excel(path, sheet_name=sheet, header=header)
        long = df.melt(id_vars=list(df.columns[:2]))
        return int(long["value"].notna().sum())

    return run


def naive_statbel(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".txt"))
        df = pd.read_csv(io.BytesIO(zf.read(name)), sep="|", encoding="cp1252", dtype=str)
    dims = sorted(c for c in df.columns if c.startswith("CD_") and c != "CD_REFNIS")
    df["series_key"] = df.apply(lambda r: "|".join(f"{d}={r[d]}" for d in dims), axis=1)
    return int(df.groupby(["series_key", "CD_REFNIS"]).size().shape[0])


CASES = [
    ("eurostat-tsv (gz)", "eurostat/estat_isoc_ci_it_en2.tsv.gz", naive_tsv),
    ("eurostat-tsv (plain)", "eurostat/estat_isoc_ci_in_h.tsv", naive_tsv),
    ("sdmx-csv 2.0 labels", "eurostat/isoc_e_dii.sdmx.csv", naive_sdmx_csv),
    ("sdmx-csv 1.0 codes", "eurostat/nrg_ind_ren.sdmx.csv", naive_sdmx_csv),
    ("jsonstat", "eurostat/isoc_eb_ain2_2025.jsonstat.json", naive_jsonstat),
    ("databrowser-xlsx", "eurostat/rd_e_gerdtot.databrowser.xlsx", naive_xlsx_sheet("Sheet 1", 9)),
    ("desi-xlsx", "desi/DESI_2022_final.xlsx", naive_xlsx_sheet("Data", 0)),
    ("statbel-zip", "statbel/TF_SOC_POP_STRUCT_2022.zip", naive_statbel),
]


def median_time(fn, runs: int = RUNS) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    if not RAW.is_dir():
        print(f"skipped: the real payloads are not at {RAW}")
        return
    print(f"Reader throughput, median of {RUNS} runs (same machine, same run)")
    print(f"{'format':22} {'file':38} {'obs':>9} {'ours obs/s':>12} {'pandas obs/s':>13} {'speed-up':>9}")
    for label, rel, naive in CASES:
        path = RAW / rel
        t_ours, result = median_time(lambda p=path: read_file(p))
        n = len(result.observations)
        t_naive, _ = median_time(lambda p=path, f=naive: f(p))
        rates = f"{n / t_ours:>12,.0f} {n / t_naive:>13,.0f} {t_naive / t_ours:>8.1f}x"
        print(f"{label:22} {rel:38} {n:>9,} {rates}")

    snapshot = ROOT / "data" / "snapshot"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "warehouse.duckdb"
        t_build, report = median_time(lambda: build_from_snapshot(snapshot, target))
    print(
        f"\nWarehouse from the snapshot: {report.observations:,} observations, {report.datasets} datasets, "
        f"median {t_build:.2f} s of {RUNS} builds"
    )


if __name__ == "__main__":
    main()
