"""How the benchmark and the browser tests launch Debian's Chromium headless on this network.

Without the background-networking flags Chromium keeps trying hosts the machine cannot
reach. ``CHROMIUM`` overrides the binary (e.g. a runner's preinstalled Chrome).
"""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
