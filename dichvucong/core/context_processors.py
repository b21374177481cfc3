from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "portal": {
            "name": settings.PORTAL_NAME,
            "province": settings.PORTAL_PROVINCE,
            "operator": settings.PORTAL_OPERATOR,
            "owner": settings.PORTAL_OWNER,
            "address": settings.PORTAL_ADDRESS,
            "hotline": settings.PORTAL_HOTLINE,
            "email": settings.PORTAL_EMAIL,
            "demo": settings.PORTAL_DEMO,
        }
    }
