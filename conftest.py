"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from dichvucong.core.testing.browser import SCREENSHOT_DIR, axe_page, browser, mobile_page, page, screenshot
from dichvucong.core.testing.personas import Personas, make_personas

__all__ = ["axe_page", "browser", "mobile_page", "page", "screenshot"]


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOT_DIR.exists() and any(SCREENSHOT_DIR.glob("*.png")):
        count = len(list(SCREENSHOT_DIR.glob("*.png")))
        terminalreporter.write_line(f"Screenshots ({count}): {SCREENSHOT_DIR}")
