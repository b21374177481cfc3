"""Shared fixtures for dossier-related tests (all apps): uploads in a temporary directory; a realistic procedure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dichvucong.catalog.tests.factories import make_procedure

EFORMS = Path(__file__).resolve().parents[2] / "catalog" / "demo_data" / "eforms"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def birth_procedure(personas):
    """Đăng ký khai sinh at agency A: the demo e-form and three components (two required)."""
    return make_procedure(
        "1.001193",
        "Đăng ký khai sinh",
        agencies=[personas.agency_a.code],
        components=[
            {"name": "Giấy chứng sinh", "required": True, "document_type": "giay_chung_sinh"},
            {"name": "Giấy tờ tùy thân của người yêu cầu", "required": True, "document_type": "cccd"},
            {"name": "Văn bản ủy quyền", "required": False},
        ],
        eform=json.loads((EFORMS / "dang_ky_khai_sinh.json").read_text(encoding="utf-8")),
    )
