"""Processes as versioned data: the default process, new versions, putting a version in force."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dichvucong.accounts.constants import OfficerRole
from dichvucong.agencies.models import Unit
from dichvucong.catalog.constants import VersionStatus
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.tests.factories import procedure_for
from dichvucong.workflow.constants import DEFAULT_STEPS, StepAction
from dichvucong.workflow.models import ProcessDefinition, ProcessStep
from dichvucong.workflow.services import process_for, process_new_version, process_publish

pytestmark = pytest.mark.django_db


def test_a_procedure_without_a_process_gets_the_default_one_once(personas):
    procedure = procedure_for(personas.agency_a, processing_time=10)  # 80 working hours
    process = process_for(procedure=procedure, agency=personas.agency_a)
    assert process.is_default
    assert process.status == VersionStatus.PUBLISHED
    steps = list(process.steps.order_by("order"))
    assert [s.role for s in steps] == [role for role, *_ in DEFAULT_STEPS]
    assert [s.allotted_hours for s in steps] == [
        Decimal("40"),
        Decimal("12"),
        Decimal("12"),
        Decimal("8"),
        Decimal("8"),
    ]
    assert process_for(procedure=procedure, agency=personas.agency_a) == process
    assert ProcessDefinition.objects.count() == 1


def test_a_same_day_procedure_still_gives_each_step_time(personas):
    procedure = procedure_for(personas.agency_a, processing_time=0)
    steps = process_for(procedure=procedure, agency=personas.agency_a).steps.all()
    assert all(step.allotted_hours >= Decimal("0.5") for step in steps)


def test_a_new_version_is_a_draft_copy_and_publishing_it_retires_the_old(personas):
    procedure = procedure_for(personas.agency_a)
    first = process_for(procedure=procedure, agency=personas.agency_a)
    draft = process_new_version(process=first)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.steps.count() == len(DEFAULT_STEPS)
    draft.steps.filter(order=3).delete()  # no agency leader for this procedure
    process_publish(process=draft)
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert process_for(procedure=procedure, agency=personas.agency_a) == draft


def test_an_agencys_own_process_wins_and_may_name_its_units(personas):
    procedure = procedure_for(personas.agency_a)
    unit = Unit.objects.create(agency=personas.agency_a, code="TP", name="Phòng Tư pháp")
    own = ProcessDefinition.objects.create(procedure=procedure, agency=personas.agency_a, number=1, name="Riêng")
    ProcessStep.objects.create(
        process=own,
        order=1,
        name="Thẩm định",
        role=OfficerRole.SPECIALIST,
        unit=unit,
        allotted_hours=8,
        actions=[StepAction.FINISH],
    )
    ProcessStep.objects.create(
        process=own,
        order=2,
        name="Trả",
        role=OfficerRole.ONE_STOP,
        allotted_hours=2,
        actions=[StepAction.RETURN_RESULT],
    )
    process_publish(process=own)
    assert process_for(procedure=procedure, agency=personas.agency_a) == own
    assert process_for(procedure=procedure, agency=personas.agency_b).is_default


def test_publishing_refuses_a_broken_process_with_reasons(personas):
    procedure = procedure_for(personas.agency_a)
    other_unit = Unit.objects.create(agency=personas.agency_b, code="X", name="Phòng khác")
    broken = ProcessDefinition.objects.create(procedure=procedure, agency=personas.agency_a, number=1, name="Sai")
    ProcessStep.objects.create(
        process=broken,
        order=1,
        name="Thẩm định",
        role=OfficerRole.SPECIALIST,
        unit=other_unit,
        allotted_hours=8,
        actions=[StepAction.FORWARD],
    )
    with pytest.raises(ApplicationError) as error:
        process_publish(process=broken)
    message = error.value.message
    assert "Bước cuối phải có thao tác “Trả kết quả”." in message
    assert "đơn vị không thuộc cơ quan áp dụng" in message
    broken.refresh_from_db()
    assert broken.status == VersionStatus.DRAFT
