"""Browser fixtures for the web chat tests: Playwright (sync API) driving Debian's Chromium.

The base URL of the running stack comes from the session fixture ``stack_url`` (tests/conftest.py).
No browser is ever downloaded: the tests use /usr/bin/chromium, which `make test` installs (`make system-deps`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WINBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

MOBILE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end test against the running stack (needs Chromium)")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
            "(`make system-deps` does this); the e2e tests never download a browser."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _print_console_problem(message) -> None:
    if message.type in ("error", "warning"):
        print(f"[browser {message.type}] {message.text}")


@pytest.fixture
def new_page(chromium_browser) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (empty localStorage/sessionStorage).

    ``new_page(device="mobile"|"desktop", locale="en-US")``; every context is closed afterwards.
    """
    contexts = []

    def open_page(device: str = "desktop", locale: str = "en-US", geolocation: dict | None = None):
        options = dict(MOBILE if device == "mobile" else DESKTOP)
        if geolocation:
            options.update(geolocation=geolocation, permissions=["geolocation"])
        context = chromium_browser.new_context(locale=locale, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", _print_console_problem)
        page.on("pageerror", lambda err: print(f"[browser pageerror] {err}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
