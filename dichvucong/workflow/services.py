"""Writes on processes: the default process, new versions, publishing (CONVENTIONS #2: definitions are data)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.agencies.constants import TimeUnit
from dichvucong.catalog.constants import VersionStatus
from dichvucong.catalog.models import Procedure
from dichvucong.core.errors import ApplicationError
from dichvucong.workflow.constants import DEFAULT_STEPS, MINIMUM_PROCESS_HOURS
from dichvucong.workflow.engine import validate_steps
from dichvucong.workflow.models import ProcessDefinition, ProcessStep
from dichvucong.workflow.selectors import process_steps

HOURS_PER_DAY = 8


def _total_hours(procedure: Procedure) -> Decimal:
    version = procedure.current_version
    amount = version.processing_time if version else 0
    unit = version.processing_time_unit if version else TimeUnit.WORKING_DAYS
    hours = amount if unit == TimeUnit.WORKING_HOURS else amount * HOURS_PER_DAY
    return Decimal(max(hours, MINIMUM_PROCESS_HOURS))


def process_in_force(*, procedure: Procedure, agency: Any) -> ProcessDefinition | None:
    """The published process for this agency, else the one for every agency; None when there is none."""
    # One query for both: the agency's own rows sort before the shared ones (NULL last), the latest first.
    scope = Q(agency__isnull=True) | Q(agency=agency) if agency is not None else Q(agency__isnull=True)
    return (
        ProcessDefinition.objects.filter(scope, procedure=procedure, status=VersionStatus.PUBLISHED)
        .prefetch_related("steps")
        .order_by(F("agency_id").asc(nulls_last=True), "-number")
        .first()
    )


def process_for(*, procedure: Procedure, agency: Any) -> ProcessDefinition:
    """The process a dossier is received under: the one in force, or the default one made for it."""
    process = process_in_force(procedure=procedure, agency=agency)
    return process if process is not None else process_default_create(procedure=procedure)


def process_default_create(*, procedure: Procedure) -> ProcessDefinition:
    """Publish the default process (DEFAULT_STEPS) for the procedure, its time limit shared among the steps."""
    with transaction.atomic():
        # Two officers receiving the first dossiers of a procedure at once must not make two.
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        existing = process_in_force(procedure=procedure, agency=None)
        if existing is not None:
            return existing
        total = _total_hours(procedure)
        process = ProcessDefinition.objects.create(
            procedure=procedure,
            number=_next_number(procedure, None),
            name=_("Quy trình mặc định"),
            status=VersionStatus.PUBLISHED,
            published_at=timezone.now(),
            is_default=True,
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                process=process,
                order=order,
                name=name,
                role=role,
                allotted_hours=_half_hours(total * Decimal(str(share))),
                actions=list(actions),
            )
            for order, (role, name, share, actions) in enumerate(DEFAULT_STEPS, start=1)
        )
    return ProcessDefinition.objects.prefetch_related("steps").get(pk=process.pk)


def _half_hours(hours: Decimal) -> Decimal:
    """Rounded to the nearest half hour, at least half an hour."""
    halves = (hours * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(halves / 2, Decimal("0.5"))


def _next_number(procedure: Procedure, agency: Any) -> int:
    last = ProcessDefinition.objects.filter(procedure=procedure, agency=agency).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def process_new_version(*, process: ProcessDefinition) -> ProcessDefinition:
    """A draft copy of a process (its steps included), to edit and publish in its place."""
    with transaction.atomic():
        copy = ProcessDefinition.objects.create(
            procedure=process.procedure,
            agency=process.agency,
            number=_next_number(process.procedure, process.agency),
            name=process.name,
            status=VersionStatus.DRAFT,
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                process=copy,
                order=step.order,
                name=step.name,
                role=step.role,
                unit=step.unit,
                officer=step.officer,
                allotted_hours=step.allotted_hours,
                actions=list(step.actions),
            )
            for step in process.steps.order_by("order")
        )
    return copy


def process_publish(*, process: ProcessDefinition) -> ProcessDefinition:
    """Put a draft in force: it is checked, then replaces the one in force for the same agency scope.

    Dossiers already received keep the process they were received under.
    """
    with transaction.atomic():
        process = ProcessDefinition.objects.select_for_update().get(pk=process.pk)
        if process.status != VersionStatus.DRAFT:
            raise ApplicationError(_("Chỉ bản nháp mới được áp dụng."), code="invalid")
        problems = validate_steps(process_steps(process))
        agency_id = process.agency_id
        for step in process.steps.select_related("unit", "officer__officer_profile"):
            if step.unit is not None and step.unit.agency_id != agency_id:
                problems.append(
                    _("Bước %(order)s: đơn vị không thuộc cơ quan áp dụng quy trình.") % {"order": step.order}
                )
            profile = getattr(step.officer, "officer_profile", None) if step.officer else None
            if step.officer is not None and (profile is None or profile.agency_id != agency_id):
                problems.append(
                    _("Bước %(order)s: cán bộ được chỉ định không thuộc cơ quan áp dụng quy trình.")
                    % {"order": step.order}
                )
        if problems:
            raise ApplicationError(" ".join(problems), code="invalid")
        ProcessDefinition.objects.filter(
            procedure=process.procedure, agency=process.agency, status=VersionStatus.PUBLISHED
        ).update(status=VersionStatus.RETIRED)
        process.status = VersionStatus.PUBLISHED
        process.published_at = timezone.now()
        process.save(update_fields=["status", "published_at", "updated_at"])
    return process
