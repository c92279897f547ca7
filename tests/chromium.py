"""Headless Chromium (Debian's package, which ``make test`` installs) for the browser tests.

One browser for the whole session, launched by the first test that asks for ``browser``
(the export pages in ``test_export_clients.py``, the web app in ``test_web_browser.py``);
registered in ``conftest.py``. The flags keep it from reaching the network on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), \
        "Chromium is needed: apt-get install chromium (make test installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
