"""Project hygiene that CI should catch before a reviewer does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[3]
RUFF = Path(sys.executable).with_name("ruff")


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the dev extra")
@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args):
    result = subprocess.run([str(RUFF), *args], cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_keys_first_paginator_reads_the_pages_rows_by_key_from_the_rows_query(personas, django_assert_num_queries):
    from dichvucong.core.pagination import KeysFirstPaginator
    from dichvucong.dossiers.models import Dossier
    from dichvucong.dossiers.tests.factories import DossierFactory

    made = [DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True) for _ in range(5)]
    listed = Dossier.objects.filter(applicant=personas.citizen).exclude(status="draft").order_by("-pk")
    shown = Dossier.objects.only("code", "status")
    paginator = KeysFirstPaginator(listed, 2, rows=shown)
    paginator.count = 5

    with django_assert_num_queries(2):  # the keys, then the rows
        page = paginator.get_page(2)
        rows = list(page.object_list)
    assert [row.pk for row in rows] == [made[2].pk, made[1].pk]
    assert rows[0].get_deferred_fields() >= {"eform_data", "owner_name"}
    assert page.has_next()
    assert page.has_previous()

    empty = KeysFirstPaginator(listed.filter(code="KHONG-CO"), 2, rows=shown)
    empty.count = 0
    with django_assert_num_queries(0):  # an empty list: neither keys nor rows are asked for
        assert list(empty.get_page(1)) == []
