"""Which Chromium to drive and with which flags: Debian's binary, quiet on a closed network, as root."""

from __future__ import annotations

import shutil

# Without the background-networking flags Chromium keeps dialling out, and on a closed network every attempt
# is refused; --no-sandbox because CI and containers run as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def executable() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
