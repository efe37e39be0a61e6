"""Zip/gzip payloads → refused when bombs or escaping their folder; gzip bytes (by magic) → their content."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from pipelines.readers.base import ReaderError

# Real payloads: the Statbel zip unpacks 2.6 MB → 102 MB (ratio 40), the largest Eurostat TSV 1.1 → 9.5 MB.
MAX_UNPACKED = int(os.environ.get("AIPLAN_MAX_UNPACKED_BYTES", 1024**3))
MAX_RATIO = 250


def check_zip(path: Path, zf: zipfile.ZipFile) -> None:
    """Every member name stays inside the archive's folder; the declared sizes and ratios are plausible."""
    total = 0
    for info in zf.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
            raise ReaderError(
                path, f"archive member {info.filename!r} points outside the archive", "relative names"
            )
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 10 * 1024**2
        ):
            ratio = info.file_size // info.compress_size
            raise ReaderError(path, f"archive member {info.filename!r} expands {ratio}x (a zip bomb?)")
    if total > MAX_UNPACKED:
        raise ReaderError(path, f"archive would unpack to {total:,} bytes, over the {MAX_UNPACKED:,} limit")


def check_gzip(path: Path) -> None:
    """Stream-decompress once, counting: refuse a gzip that unpacks beyond the limit or the ratio."""
    packed = path.stat().st_size
    limit = min(MAX_UNPACKED, max(packed * MAX_RATIO, 64 * 1024**2))
    size = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise ReaderError(path, f"gzip unpacks beyond {limit:,} bytes (a gzip bomb?)")
    except (EOFError, OSError, zlib.error) as exc:
        raise ReaderError(path, f"corrupt or truncated gzip ({exc})", "a complete gzip file") from exc


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    """Eurostat may gzip a body without saying so (no Content-Encoding): the magic bytes decide."""
    return data[:2] == GZIP_MAGIC


def compression_of(path: Path) -> str | None:
    """'gzip' when the file starts with the gzip magic, whatever its name; for pandas' `compression=`."""
    with path.open("rb") as fh:
        return "gzip" if is_gzip(fh.read(2)) else None


def gunzip_if_needed(data: bytes, where: str | Path) -> bytes:
    """The bytes themselves, or their decompressed content when they are gzip (bounded like check_gzip)."""
    if not is_gzip(data):
        return data
    limit = min(MAX_UNPACKED, max(len(data) * MAX_RATIO, 64 * 1024**2))
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(limit + 1)
    except (EOFError, OSError, zlib.error) as exc:
        raise ReaderError(where, f"corrupt or truncated gzip ({exc})", "a complete gzip body") from exc
    if len(out) > limit:
        raise ReaderError(where, f"gzip unpacks beyond {limit:,} bytes (a gzip bomb?)")
    return out
