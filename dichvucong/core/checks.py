"""System checks of our own settings, run by `manage.py check --deploy` next to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def captcha_test_mode_off(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # In test mode every captcha accepts "PASSED": the look-up throttle and the send page lose their guard.
    if getattr(settings, "CAPTCHA_TEST_MODE", False):
        return [
            Error(
                "CAPTCHA_TEST_MODE is on: every captcha accepts the answer PASSED.",
                hint="Unset CAPTCHA_TEST_MODE (it is for automated tests only).",
                id="dichvucong.E001",
            )
        ]
    return []
