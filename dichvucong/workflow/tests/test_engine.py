"""The pure engine: which moves an officer may make on a dossier now (no database)."""

from __future__ import annotations

import pytest

from dichvucong.accounts.constants import OfficerRole as R
from dichvucong.workflow.constants import DEFAULT_STEPS, StepAction
from dichvucong.workflow.engine import (
    DossierState,
    OfficerState,
    StepSpec,
    allowed_actions,
    holds_step,
    next_step,
    previous_step,
    validate_steps,
)

AGENCY, OTHER_AGENCY = 1, 2
STEPS = tuple(
    StepSpec(order=i, name=name, role=role, allotted_hours=8 * share, actions=frozenset(actions))
    for i, (role, name, share, actions) in enumerate(DEFAULT_STEPS, start=1)
)


def officer(*roles: str, user_id: int = 10, agency: int | None = AGENCY, unit: int | None = None) -> OfficerState:
    return OfficerState(user_id=user_id, agency_id=agency, roles=frozenset(roles), unit_id=unit)


def dossier(status: str = "processing", step: int | None = 1, **extra) -> DossierState:
    return DossierState(status=status, agency_id=AGENCY, steps=STEPS, step_order=step, **extra)


def test_the_desk_receives_asks_a_supplement_requests_the_fee_or_refuses_a_new_dossier():
    assert allowed_actions(dossier("submitted", None), officer(R.ONE_STOP)) == (
        "receive",
        "request_supplement",
        "request_payment",
        "refuse",
    )


@pytest.mark.parametrize("role", [R.SPECIALIST, R.HEAD_OF_DEPARTMENT, R.AGENCY_LEADER, R.CLERK])
def test_only_the_desk_acts_on_a_new_dossier(role):
    assert allowed_actions(dossier("submitted", None), officer(role)) == ()


def test_an_officer_of_another_agency_may_do_nothing():
    assert allowed_actions(dossier("submitted", None), officer(R.ONE_STOP, agency=OTHER_AGENCY)) == ()
    assert allowed_actions(dossier(step=1), officer(R.SPECIALIST, agency=OTHER_AGENCY)) == ()
    assert allowed_actions(dossier(step=1), officer(R.SPECIALIST, agency=None)) == ()


def test_each_step_belongs_to_its_role():
    assert allowed_actions(dossier(step=1), officer(R.SPECIALIST)) == (
        "forward",
        "request_supplement",
        "propose_refusal",
        "consult",
    )
    assert allowed_actions(dossier(step=1), officer(R.HEAD_OF_DEPARTMENT)) == ("suspend", "extend")
    assert allowed_actions(dossier(step=2), officer(R.HEAD_OF_DEPARTMENT)) == (
        "forward",
        "send_back",
        "suspend",
        "extend",
    )
    # A specialist cannot take the leader's step.
    assert allowed_actions(dossier(step=3), officer(R.SPECIALIST)) == ()
    assert allowed_actions(dossier(step=4), officer(R.CLERK)) == ("send_back", "sign", "finish")


def test_an_assigned_dossier_is_only_its_assignees_work():
    state = dossier(step=1, assignee_id=99)
    assert allowed_actions(state, officer(R.SPECIALIST, user_id=10)) == ()
    assert "forward" in allowed_actions(state, officer(R.SPECIALIST, user_id=99))


def test_a_step_for_a_unit_or_a_named_officer():
    in_unit = StepSpec(order=1, name="Thẩm định", role=R.SPECIALIST, unit_id=5, actions=frozenset({"forward"}))
    named = StepSpec(order=1, name="Thẩm định", role=R.SPECIALIST, officer_id=42, actions=frozenset({"forward"}))
    assert holds_step(officer(R.SPECIALIST, unit=5), in_unit)
    assert not holds_step(officer(R.SPECIALIST, unit=6), in_unit)
    assert holds_step(officer(R.CLERK, user_id=42), named)  # the named officer, whatever their role
    assert not holds_step(officer(R.SPECIALIST, user_id=43), named)


def test_the_result_is_returned_by_the_last_step_once_ready():
    ready = dossier("result_ready", step=5)
    assert allowed_actions(ready, officer(R.ONE_STOP)) == ("return_result", "request_payment")
    assert allowed_actions(ready, officer(R.CLERK)) == ()


def test_a_refusal_proposed_by_the_specialist_is_decided_by_a_leader():
    proposed = dossier(step=2, refusal_proposed=True)
    assert "refuse" in allowed_actions(proposed, officer(R.HEAD_OF_DEPARTMENT))
    assert "refuse" not in allowed_actions(dossier(step=2), officer(R.HEAD_OF_DEPARTMENT))
    assert "propose_refusal" not in allowed_actions(dossier(step=1, refusal_proposed=True), officer(R.SPECIALIST))


def test_suspension_resumption_and_withdrawal_requests_are_the_leaders_and_the_desks():
    assert allowed_actions(dossier("suspended", step=2), officer(R.AGENCY_LEADER)) == ("resume",)
    assert allowed_actions(dossier("suspended", step=2), officer(R.SPECIALIST)) == ()
    asked = dossier(step=1, withdrawal_requested=True)
    assert allowed_actions(asked, officer(R.ONE_STOP))[-2:] == ("approve_withdrawal", "decline_withdrawal")
    assert "approve_withdrawal" not in allowed_actions(asked, officer(R.CLERK))


@pytest.mark.parametrize("status", ["draft", "returned", "refused", "withdrawn"])
def test_nothing_is_allowed_on_a_draft_or_a_finished_dossier(status):
    everyone = officer(*R.values)
    assert allowed_actions(dossier(status, step=1), everyone) == ()


def test_first_and_last_steps_have_no_previous_or_next():
    assert previous_step(dossier(step=1)) is None
    assert next_step(dossier(step=5)) is None
    assert next_step(dossier(step=1)).order == 2


def test_the_default_process_is_valid_and_a_broken_one_is_explained():
    assert validate_steps(STEPS) == []
    assert validate_steps(()) == ["Quy trình chưa có bước nào."]
    no_return = STEPS[:-1]
    problems = validate_steps(no_return)
    assert "Bước cuối phải có thao tác “Trả kết quả”." in problems
    no_result = tuple(
        StepSpec(order=s.order, name=s.name, role=s.role, allotted_hours=1, actions=s.actions - {"sign", "finish"})
        for s in STEPS
    )
    assert any("Ký số kết quả" in p for p in validate_steps(no_result))
    zero = (StepSpec(order=1, name="x", role=R.ONE_STOP, allotted_hours=0, actions=frozenset({"return_result"})),)
    assert any("thời gian thực hiện phải lớn hơn 0" in p for p in validate_steps(zero))
    bad = (StepSpec(order=1, name="x", role=R.ONE_STOP, allotted_hours=1, actions=frozenset({"teleport"})),)
    assert any("teleport" in p for p in validate_steps(bad))


def test_step_actions_have_the_values_of_the_dossier_moves():
    from dichvucong.dossiers.constants import DossierAction

    assert set(StepAction.values) <= set(DossierAction.values)
