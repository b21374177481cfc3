"""The officers' moves and the citizen's answers through the one door: effects, rules and history."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import DossierEvent
from dichvucong.dossiers.services import dossier_events_verify, dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer, supplement_items

pytestmark = pytest.mark.django_db

HANOI = dt.timezone(dt.timedelta(hours=7))

EXPECTED = {
    "received": DossierStatus.PROCESSING,
    "supplement_requested": DossierStatus.SUPPLEMENT_REQUESTED,
    "supplement_in_processing": DossierStatus.SUPPLEMENT_REQUESTED,
    "refused": DossierStatus.REFUSED,
    "payment_requested": DossierStatus.PAYMENT_REQUESTED,
    "suspended": DossierStatus.SUSPENDED,
    "result_ready": DossierStatus.RESULT_READY,
    "returned": DossierStatus.RETURNED,
}


@pytest.mark.parametrize("trait", sorted(EXPECTED))
def test_every_state_is_reached_through_the_services_with_an_intact_history(trait):
    dossier = DossierFactory(**{trait: True})
    assert dossier.status == EXPECTED[trait]
    assert dossier.code
    assert dossier_events_verify(dossier=dossier)


def test_reception_sets_the_appointment_from_the_working_calendar():
    # Friday 20/11/2026 16:00 + 3 working days (the test procedure's limit): Tuesday 24/11 is the
    # new Vietnamese Culture Day holiday (from 2026), so the appointment is Thursday 26/11 16:00.
    with time_machine.travel(dt.datetime(2026, 11, 20, 16, 0, tzinfo=HANOI), tick=False):
        dossier = DossierFactory(received=True)
    assert dossier.received_at == dt.datetime(2026, 11, 20, 16, 0, tzinfo=HANOI)
    assert dossier.appointment_at.astimezone(HANOI) == dt.datetime(2026, 11, 26, 16, 0, tzinfo=HANOI)
    event = DossierEvent.objects.filter(dossier=dossier, action=DossierAction.RECEIVE).get()
    assert event.data["appointment_at"]


def test_a_citizen_cannot_make_an_officers_move_and_an_officer_of_another_agency_neither(personas):
    dossier = DossierFactory(submitted=True, applicant=personas.citizen, agency=personas.agency_a)
    for actor in (personas.citizen, personas.officer_b):
        with pytest.raises(ApplicationError) as exc:
            dossier_transition(dossier_id=dossier.pk, action=DossierAction.RECEIVE, actor=actor)
        assert exc.value.code == "forbidden"


def test_refusal_needs_a_reason():
    dossier = DossierFactory(submitted=True)
    with pytest.raises(ApplicationError) as exc:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.REFUSE, actor=desk_officer(dossier.agency))
    assert exc.value.code == "comment_required"


def test_a_supplement_request_must_name_items_of_this_dossier():
    dossier = DossierFactory(submitted=True)
    officer = desk_officer(dossier.agency)
    for data in ({}, {"items": []}, {"items": [{"component": 999999, "reason": "x"}]}, {"items": ["x"]}):
        with pytest.raises(ApplicationError):
            dossier_transition(dossier_id=dossier.pk, action=DossierAction.REQUEST_SUPPLEMENT, actor=officer, data=data)
    dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=officer,
        data={"items": supplement_items(dossier)},
        comment="Thiếu chữ ký",
    )


def test_a_supplement_asked_at_reception_goes_back_to_the_desk():
    dossier = DossierFactory(supplement_requested=True)
    answered = dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=dossier.applicant
    )
    assert answered.status == DossierStatus.SUBMITTED
    assert answered.supplement_round == 1


def test_a_supplement_during_processing_goes_back_to_processing_and_moves_the_appointment():
    # Received Monday 07/12/2026 08:00 (appointment Thursday 10/12 08:00), asked Monday 09:00,
    # answered Tuesday 09:00: the clock stood still for 8 working hours → appointment Friday 08:00.
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 0, tzinfo=HANOI), tick=False):
        dossier = DossierFactory(received=True)
    assert dossier.appointment_at.astimezone(HANOI) == dt.datetime(2026, 12, 10, 8, 0, tzinfo=HANOI)
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=HANOI), tick=False):
        dossier_transition(
            dossier_id=dossier.pk,
            action=DossierAction.REQUEST_SUPPLEMENT,
            actor=desk_officer(dossier.agency),
            data={"items": supplement_items(dossier)},
        )
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, 0, tzinfo=HANOI), tick=False):
        answered = dossier_transition(
            dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=dossier.applicant
        )
    assert answered.status == DossierStatus.PROCESSING
    assert answered.appointment_at.astimezone(HANOI) == dt.datetime(2026, 12, 11, 8, 0, tzinfo=HANOI)


def test_after_reception_withdrawal_is_a_request_the_agency_answers():
    dossier = DossierFactory(received=True)
    with pytest.raises(ApplicationError) as exc:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.WITHDRAW, actor=dossier.applicant)
    assert exc.value.code == "invalid_transition"
    requested = dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_WITHDRAWAL,
        actor=dossier.applicant,
        comment="Tôi đã nộp nhầm thủ tục.",
    )
    assert requested.status == DossierStatus.PROCESSING
    assert requested.withdrawal_requested_at is not None
    with pytest.raises(ApplicationError) as exc:
        dossier_transition(
            dossier_id=dossier.pk, action=DossierAction.REQUEST_WITHDRAWAL, actor=dossier.applicant, comment="Lần 2"
        )
    assert exc.value.code == "duplicate"
    approved = dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.APPROVE_WITHDRAWAL, actor=desk_officer(dossier.agency)
    )
    assert approved.status == DossierStatus.WITHDRAWN
    assert approved.withdrawal_requested_at is None


def test_payment_confirmation_returns_the_dossier_where_it_was():
    dossier = DossierFactory(payment_requested=True)
    paid = dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.CONFIRM_PAYMENT, actor=desk_officer(dossier.agency)
    )
    assert paid.status == DossierStatus.SUBMITTED


def test_officer_moves_notify_the_owner_in_app(django_capture_on_commit_callbacks):
    from dichvucong.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(refused=True)
    texts = list(
        Notification.objects.filter(event="dossier_updated", channel="in_app").values_list("body_text", flat=True)
    )
    assert any("không được tiếp nhận" in text and "thẩm quyền" in text for text in texts), texts
    assert dossier.code in texts[0]
