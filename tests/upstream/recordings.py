"""Betamax cassettes in ../shared/data/recordings/eurostat_sdmx3 → recorded interactions, bytes as recorded.

Each interaction is what Eurostat really answered the Commission's importer in Oct–Dec 2025: the request
(method, URI, headers) and the response (status, headers, body). Bodies come base64-encoded or as text in
the cassette; both are turned back into the exact bytes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

EUROSTAT_PREFIX = "/eurostat/api/dissemination"


@dataclass(frozen=True)
class Interaction:
    cassette: str
    method: str
    uri: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def path(self) -> str:
        """The URI's path and query below Eurostat's dissemination root (e.g. /sdmx/3.0/data/...?...)."""
        parts = urlsplit(self.uri)
        path = parts.path.removeprefix(EUROSTAT_PREFIX)
        return path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def _body(b: dict) -> bytes:
    if b.get("base64_string"):
        return base64.b64decode(b["base64_string"])
    return (b.get("string") or "").encode(b.get("encoding") or "utf-8")


def _pairs(headers: dict) -> tuple[tuple[str, str], ...]:
    return tuple(
        (k, v) for k, values in headers.items() for v in (values if isinstance(values, list) else [values])
    )


@cache
def load(folder: Path) -> tuple[Interaction, ...]:
    """Every interaction of every cassette in `folder`, in file order."""
    out = []
    for f in sorted(Path(folder).glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for i in doc.get("http_interactions", []):
            req, resp = i["request"], i["response"]
            out.append(
                Interaction(
                    cassette=f.stem,
                    method=req["method"],
                    uri=req["uri"],
                    request_headers=_pairs(req.get("headers", {})),
                    status=int(resp["status"]["code"]),
                    reason=resp["status"].get("message", ""),
                    headers=_pairs(resp.get("headers", {})),
                    body=_body(resp["body"]),
                )
            )
    return tuple(out)


def find(folder: Path, cassette: str, path_contains: str = "") -> Interaction:
    """The first interaction of `cassette` whose path contains `path_contains`."""
    for i in load(folder):
        if i.cassette == cassette and path_contains in i.path:
            return i
    raise KeyError(f"no interaction in {cassette} with {path_contains!r}")
