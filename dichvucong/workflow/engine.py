"""The pure engine: which moves may this officer make on this dossier now? No database, no clock.

Callers (dossiers.services.dossier_transition, the back office's pages) describe the dossier and the
officer with the plain snapshots below; the answer is a tuple of action codes (the values of
dossiers' DossierAction). The transition service refuses any move not in the answer, so the pages and
the rule can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.utils.translation import gettext as _

from dichvucong.accounts.constants import OfficerRole
from dichvucong.workflow import constants as c
from dichvucong.workflow.constants import StepAction

# Statuses, as dossiers' DossierStatus values (workflow sits below dossiers in the import graph).
SUBMITTED = "submitted"
PAYMENT_REQUESTED = "payment_requested"
SUPPLEMENT_REQUESTED = "supplement_requested"
PROCESSING = "processing"
SUSPENDED = "suspended"
RESULT_READY = "result_ready"
ACTIVE = frozenset({SUBMITTED, PAYMENT_REQUESTED, SUPPLEMENT_REQUESTED, PROCESSING, SUSPENDED, RESULT_READY})

LEADERS = frozenset({OfficerRole.HEAD_OF_DEPARTMENT, OfficerRole.AGENCY_LEADER})


@dataclass(frozen=True)
class StepSpec:
    order: int
    name: str
    role: str
    unit_id: int | None = None
    officer_id: int | None = None
    allotted_hours: float = 0
    actions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DossierState:
    status: str
    agency_id: int
    steps: Sequence[StepSpec] = ()
    step_order: int | None = None  # the current step while processing (StepSpec.order)
    assignee_id: int | None = None
    withdrawal_requested: bool = False
    refusal_proposed: bool = False


@dataclass(frozen=True)
class OfficerState:
    user_id: int
    agency_id: int | None
    roles: frozenset[str]
    unit_id: int | None = None
    is_system_admin: bool = False


def current_step(state: DossierState) -> StepSpec | None:
    if state.step_order is None:
        return None
    return next((step for step in state.steps if step.order == state.step_order), None)


def step_index(state: DossierState) -> int | None:
    step = current_step(state)
    return None if step is None else list(state.steps).index(step)


def next_step(state: DossierState) -> StepSpec | None:
    index = step_index(state)
    if index is None or index + 1 >= len(state.steps):
        return None
    return state.steps[index + 1]


def previous_step(state: DossierState) -> StepSpec | None:
    index = step_index(state)
    if not index:
        return None
    return state.steps[index - 1]


def holds_step(officer: OfficerState, step: StepSpec) -> bool:
    """Whether the officer is the one a step names: the named officer, or the role (in the unit)."""
    if step.officer_id is not None:
        return officer.user_id == step.officer_id
    if step.role not in officer.roles:
        return False
    return step.unit_id is None or step.unit_id == officer.unit_id


def _works_here(officer: OfficerState, state: DossierState) -> bool:
    return officer.is_system_admin or (officer.agency_id is not None and officer.agency_id == state.agency_id)


def allowed_actions(state: DossierState, officer: OfficerState) -> tuple[str, ...]:
    """The moves `officer` may make on the dossier now, in the order a page should offer them."""
    if not _works_here(officer, state) or state.status not in ACTIVE:
        return ()
    roles = officer.roles
    desk = OfficerRole.ONE_STOP in roles or officer.is_system_admin
    leader = not roles.isdisjoint(LEADERS) or officer.is_system_admin
    moves: list[str] = []
    if state.status == SUBMITTED and desk:
        moves += [c.RECEIVE, StepAction.REQUEST_SUPPLEMENT, c.REQUEST_PAYMENT, c.REFUSE]
    elif state.status == PAYMENT_REQUESTED and desk:
        moves.append(c.CONFIRM_PAYMENT)
    elif state.status == PROCESSING:
        moves += _processing_moves(state, officer)
        if desk:
            moves.append(c.REQUEST_PAYMENT)  # a fee due after reception
        if leader:
            moves += [c.SUSPEND, c.EXTEND]
    elif state.status == SUSPENDED and leader:
        moves.append(c.RESUME)
    elif state.status == RESULT_READY:
        step = current_step(state)
        if (step is not None and holds_step(officer, step)) or (step is None and desk):
            moves.append(StepAction.RETURN_RESULT)
        if desk:
            moves.append(c.REQUEST_PAYMENT)  # a fee due before the result is returned
    if state.withdrawal_requested and (desk or leader):
        moves += [c.APPROVE_WITHDRAWAL, c.DECLINE_WITHDRAWAL]
    return tuple(dict.fromkeys(moves))


def _processing_moves(state: DossierState, officer: OfficerState) -> list[str]:
    step = current_step(state)
    if step is None:
        return []
    # An assigned dossier is that officer's work; an unassigned one anyone holding the step may take.
    holder = holds_step(officer, step) and state.assignee_id in (None, officer.user_id)
    if not holder and not officer.is_system_admin:
        return []
    moves: list[str] = []
    for action in StepAction:
        if action not in step.actions or action == StepAction.RETURN_RESULT:
            continue
        if action == StepAction.FORWARD and next_step(state) is None:
            continue
        if action == StepAction.SEND_BACK and previous_step(state) is None:
            continue
        if action in c.RESULT_ACTIONS and next_step(state) is None:
            continue  # the result must still be returned by a later step
        if action == StepAction.PROPOSE_REFUSAL and state.refusal_proposed:
            continue
        moves.append(action)
    # A proposal to refuse is decided by a leader at a later step.
    if state.refusal_proposed and step.role in LEADERS:
        moves.append(c.REFUSE)
    return moves


def result_step(state: DossierState) -> StepSpec | None:
    """The step that returns the result (the last one), where a dossier waits once its result exists."""
    return state.steps[-1] if state.steps else None


def validate_steps(steps: Sequence[StepSpec]) -> list[str]:
    """What is wrong with a process before it may be published; empty when it is usable."""
    problems: list[str] = []
    if not steps:
        return [_("Quy trình chưa có bước nào.")]
    orders = [step.order for step in steps]
    if len(set(orders)) != len(orders):
        problems.append(_("Hai bước có cùng thứ tự."))
    last = steps[-1]
    if StepAction.RETURN_RESULT not in last.actions:
        problems.append(_("Bước cuối phải có thao tác “Trả kết quả”."))
    if any(StepAction.RETURN_RESULT in step.actions for step in steps[:-1]):
        problems.append(_("Chỉ bước cuối được có thao tác “Trả kết quả”."))
    if not any(step.actions & c.RESULT_ACTIONS for step in steps[:-1]):
        problems.append(_("Cần một bước trước bước cuối có thao tác “Ký số kết quả” hoặc “Hoàn thành xử lý”."))
    for index, step in enumerate(steps):
        unknown = step.actions - set(StepAction.values)
        if unknown:
            problems.append(
                _("Bước %(order)s: thao tác không hợp lệ %(actions)s.")
                % {"order": step.order, "actions": ", ".join(sorted(unknown))}
            )
        if index < len(steps) - 1 and not step.actions & ({StepAction.FORWARD} | c.RESULT_ACTIONS):
            problems.append(_("Bước %(order)s: cần “Chuyển bước tiếp” hoặc “Ký số kết quả”.") % {"order": step.order})
        if step.allotted_hours <= 0:
            problems.append(_("Bước %(order)s: thời gian thực hiện phải lớn hơn 0.") % {"order": step.order})
    return problems


# --- Timeliness (DESIGN §4: trước hạn / đúng hạn / quá hạn) -----------------------------------------
EARLY, ON_TIME, LATE = "early", "on_time", "late"


def timeliness(done_at: datetime, due_at: datetime | None, *, zone: tzinfo) -> str | None:
    """Early when done on a day before the due day, on time when done on the due day by the due
    time, late when done after it; None without a due time. Days are counted in `zone`."""
    if due_at is None:
        return None
    if done_at > due_at:
        return LATE
    if done_at.astimezone(zone).date() < due_at.astimezone(zone).date():
        return EARLY
    return ON_TIME
