"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from dichvucong.core.testing.browser import SCREENSHOT_DIR, axe_page, browser, mobile_page, page, screenshot
from dichvucong.core.testing.dossier_fixtures import _media_in_tmp, birth_procedure
from dichvucong.core.testing.personas import Personas, make_personas

__all__ = ["_media_in_tmp", "axe_page", "birth_procedure", "browser", "mobile_page", "page", "screenshot"]


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def _seeded_rows_after_flush(request) -> None:
    """Reinstall what migrations seed (the notification templates) for transactional tests.

    A transactional test empties every table when it ends, so the next one would start without the
    rows the data migrations put there. serialized_rollback would restore them, but it reloads the
    content types by their old ids and collides with the ones post_migrate recreated after a plain
    flush; reinstalling the templates (idempotent) is simpler and order-independent.
    """
    marker = request.node.get_closest_marker("django_db")
    wants_transactions = marker is not None and marker.kwargs.get("transaction", False)
    if not (wants_transactions or {"live_server", "transactional_db"} & set(request.fixturenames)):
        return
    request.getfixturevalue("transactional_db")
    from dichvucong.notifications.defaults import templates_install
    from dichvucong.notifications.models import NotificationTemplate

    templates_install(NotificationTemplate)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOT_DIR.exists() and any(SCREENSHOT_DIR.glob("*.png")):
        count = len(list(SCREENSHOT_DIR.glob("*.png")))
        terminalreporter.write_line(f"Screenshots ({count}): {SCREENSHOT_DIR}")
