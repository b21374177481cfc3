"""The demo process of Sở Tư pháp, and the demo dossiers received under processes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dichvucong.catalog.constants import VersionStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.workflow import demo
from dichvucong.workflow.models import ProcessDefinition

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_configured_process_and_received_dossiers_follow_processes(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    process = ProcessDefinition.objects.get(procedure__code=demo.CRIMINAL_RECORD, agency__code=demo.JUSTICE)
    assert process.status == VersionStatus.PUBLISHED
    steps = list(process.steps.select_related("unit").order_by("order"))
    assert [step.unit.code for step in steps] == ["HCTP", "HCTP", "LD", "VP", "MC"]
    received = Dossier.objects.exclude(received_at=None)
    assert received.exists()
    assert not received.filter(process=None).exists()
    call_command("demo", stdout=io.StringIO())
    assert ProcessDefinition.objects.filter(procedure__code=demo.CRIMINAL_RECORD).count() == 1
