"""Reads of processes, and the snapshots the pure engine takes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from dichvucong.core.permissions import is_system_admin, officer_agency_id, officer_roles
from dichvucong.workflow.engine import OfficerState, StepSpec
from dichvucong.workflow.models import ProcessDefinition, ProcessStep


def step_spec(step: ProcessStep) -> StepSpec:
    return StepSpec(
        order=step.order,
        name=step.name,
        role=step.role,
        unit_id=step.unit_id,
        officer_id=step.officer_id,
        allotted_hours=float(step.allotted_hours),
        actions=frozenset(step.actions or ()),
    )


def process_steps(process: ProcessDefinition | None) -> tuple[StepSpec, ...]:
    """The steps in order; uses prefetched `steps` when the caller prefetched them."""
    if process is None:
        return ()
    return tuple(step_spec(step) for step in sorted(process.steps.all(), key=lambda s: s.order))


def officer_state(user: Any) -> OfficerState:
    """The officer as the engine sees them: agency, roles, unit (cached per request by core.permissions)."""
    unit_id = None
    try:
        profile = user.officer_profile
        unit_id = profile.unit_id
    except (ObjectDoesNotExist, AttributeError):
        pass
    return OfficerState(
        user_id=getattr(user, "pk", None) or 0,
        agency_id=officer_agency_id(user),
        roles=officer_roles(user),
        unit_id=unit_id,
        is_system_admin=is_system_admin(user),
    )
