from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.constants import DossierAction, DossierStatus, ResultDelivery
from dichvucong.dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from dichvucong.dossiers.services import (
    dossier_create_draft,
    dossier_events_verify,
    dossier_transition,
    dossier_update_draft,
)
from dichvucong.dossiers.tests.factories import DossierFactory, procedure_for

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def submit(dossier: Dossier, actor=None, **kwargs) -> Dossier:
    return dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=actor or dossier.applicant, **kwargs
    )


def withdraw(dossier: Dossier, actor=None, **kwargs) -> Dossier:
    return dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.WITHDRAW, actor=actor or dossier.applicant, **kwargs
    )


# --- Drafts ---------------------------------------------------------------------------------------
def test_draft_pins_version_defaults_the_only_agency_and_prefills_the_owner(personas):
    citizen = personas.citizen
    citizen.phone, citizen.national_id, citizen.street_address = "+84912345678", "046090000123", "12 Lê Lợi"
    citizen.save()
    procedure = procedure_for(personas.agency_a)
    dossier = dossier_create_draft(procedure=procedure, applicant=citizen)
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.code is None
    assert dossier.procedure_version_id == procedure.current_version_id
    assert dossier.agency == personas.agency_a
    assert (dossier.owner_name, dossier.owner_phone, dossier.owner_national_id, dossier.owner_email) == (
        citizen.full_name,
        "+84912345678",
        "046090000123",
        citizen.email,
    )
    assert dossier.owner_street_address == "12 Lê Lợi"
    assert not dossier.events.exists()


def test_draft_needs_an_agency_when_several_receive(personas):
    procedure = make_procedure(
        "9.100001", "Thủ tục hai nơi nhận", agencies=[personas.agency_a.code, personas.agency_b.code]
    )
    with pytest.raises(ApplicationError) as exc:
        dossier_create_draft(procedure=procedure, applicant=personas.citizen)
    assert exc.value.code == "agency_required"
    dossier = dossier_create_draft(procedure=procedure, applicant=personas.citizen, agency=personas.agency_b)
    assert dossier.agency == personas.agency_b
    other = AgencyFactory()
    with pytest.raises(ApplicationError) as exc:
        dossier_create_draft(procedure=procedure, applicant=personas.citizen, agency=other)
    assert exc.value.code == "agency_invalid"


def test_update_draft_only_by_its_applicant_only_whitelisted_only_while_draft(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    updated = dossier_update_draft(
        dossier=dossier, actor=personas.citizen, owner_name="Nguyễn Văn Bé", eform_data={"ho_ten": "Bé"}
    )
    assert updated.owner_name == "Nguyễn Văn Bé"
    assert updated.version == dossier.version + 1
    with pytest.raises(ApplicationError) as exc:
        dossier_update_draft(dossier=dossier, actor=personas.other_citizen, owner_name="X")
    assert exc.value.code == "forbidden"
    with pytest.raises(TypeError):
        dossier_update_draft(dossier=dossier, actor=personas.citizen, status=DossierStatus.RETURNED)
    with pytest.raises(ApplicationError) as exc:
        dossier_update_draft(dossier=dossier, actor=personas.citizen, result_delivery="drone")
    assert exc.value.code == "invalid"
    submit(dossier)
    with pytest.raises(ApplicationError) as exc:
        dossier_update_draft(dossier=dossier, actor=personas.citizen, owner_name="Y")
    assert exc.value.code == "not_draft"


def test_submit_by_post_needs_the_post_address(personas):
    dossier = DossierFactory(
        applicant=personas.citizen, agency=personas.agency_a, result_delivery=ResultDelivery.BY_POST
    )
    with pytest.raises(ApplicationError) as exc:
        submit(dossier)
    assert exc.value.code == "incomplete"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT


# --- Submit and codes -----------------------------------------------------------------------------
@time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=HCM), tick=False)
def test_submit_gives_a_code_of_the_right_shape_and_date(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    sent = submit(dossier, comment="Gửi lần đầu")
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}", sent.code)
    assert sent.code == f"{personas.agency_a.code}-260316-0001"
    assert sent.status == DossierStatus.SUBMITTED
    assert sent.submitted_at == dt.datetime(2026, 3, 16, 10, 0, tzinfo=HCM)
    assert sent.version == dossier.version + 1
    second = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    assert second.code == f"{personas.agency_a.code}-260316-0002"
    # Another agency counts on its own.
    assert DossierFactory(agency=personas.agency_b, submitted=True).code.endswith("-260316-0001")
    event = sent.events.get()
    assert (event.sequence, event.action, event.from_status, event.to_status) == (
        1,
        DossierAction.SUBMIT,
        DossierStatus.DRAFT,
        DossierStatus.SUBMITTED,
    )
    assert event.actor == personas.citizen
    assert event.actor_label == str(personas.citizen)
    assert event.comment == "Gửi lần đầu"
    assert event.data["code"] == sent.code
    assert event.previous_hash == ""
    assert len(event.hash) == 64


def test_code_day_is_the_local_date_in_ho_chi_minh_city(personas):
    agency = personas.agency_a
    # 23:30 local on the 16th is 16:30 UTC: still the 16th.
    with time_machine.travel(dt.datetime(2026, 3, 16, 23, 30, tzinfo=HCM), tick=False):
        late = DossierFactory(agency=agency, submitted=True)
    # 00:05 local on the 17th is still the 16th in UTC: the code says the 17th, and starts again at 1.
    with time_machine.travel(dt.datetime(2026, 3, 17, 0, 5, tzinfo=HCM), tick=False):
        early = DossierFactory(agency=agency, submitted=True)
    assert late.code == f"{agency.code}-260316-0001"
    assert early.code == f"{agency.code}-260317-0001"


@time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=HCM), tick=False)
def test_code_widens_past_9999(personas):
    agency = personas.agency_a
    DossierCodeCounter.objects.create(agency=agency, day=dt.date(2026, 3, 16), last_value=9998)
    assert DossierFactory(agency=agency, submitted=True).code == f"{agency.code}-260316-9999"
    assert DossierFactory(agency=agency, submitted=True).code == f"{agency.code}-260316-10000"


def test_double_click_submit_gives_one_code_and_one_event(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    first = submit(dossier, expected_version=dossier.version)
    # The second click comes from the same page, with the same version…
    with pytest.raises(ApplicationError) as exc:
        submit(dossier, expected_version=dossier.version)
    assert exc.value.code == "stale"
    # …or without one.
    with pytest.raises(ApplicationError) as exc:
        submit(dossier)
    assert exc.value.code == "invalid_transition"
    assert Dossier.objects.get(pk=dossier.pk).code == first.code
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert DossierCodeCounter.objects.get(agency=personas.agency_a).last_value == 1


def test_stale_version_is_refused_with_a_clear_message(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    dossier_update_draft(dossier=dossier, actor=personas.citizen, owner_name="Đã đổi ở tab khác")
    with pytest.raises(ApplicationError) as exc:
        submit(dossier, expected_version=dossier.version)
    assert exc.value.code == "stale"
    assert exc.value.message == "Hồ sơ đã thay đổi, vui lòng tải lại trang."
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT


@pytest.mark.parametrize("action", [DossierAction.SUBMIT, DossierAction.WITHDRAW])
def test_nobody_else_can_move_a_citizens_dossier(personas, action):
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    for dossier in (draft, sent):
        for intruder in (personas.other_citizen, personas.officer_a, personas.sysadmin, None):
            with pytest.raises(ApplicationError) as exc:
                dossier_transition(dossier_id=dossier.pk, action=action, actor=intruder)
            assert exc.value.code == "forbidden"
    assert Dossier.objects.get(pk=draft.pk).status == DossierStatus.DRAFT
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.SUBMITTED


def test_unknown_dossier_and_unknown_action(personas):
    with pytest.raises(ApplicationError) as exc:
        dossier_transition(dossier_id=987654, action=DossierAction.SUBMIT, actor=personas.citizen)
    assert exc.value.code == "not_found"
    with pytest.raises(ApplicationError) as exc:
        dossier_transition(dossier_id=987654, action="delete_everything", actor=personas.citizen)
    assert exc.value.code == "invalid_action"


# --- Withdraw -------------------------------------------------------------------------------------
def test_withdraw_a_draft_or_a_sent_dossier_before_reception(personas):
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn_draft=True)
    assert draft.status == DossierStatus.WITHDRAWN
    assert draft.code is None
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)
    assert sent.status == DossierStatus.WITHDRAWN
    assert sent.code is not None  # the code given at sending stays: it was printed and notified
    assert list(sent.events.values_list("action", "to_status")) == [
        (DossierAction.SUBMIT, DossierStatus.SUBMITTED),
        (DossierAction.WITHDRAW, DossierStatus.WITHDRAWN),
    ]
    assert dossier_events_verify(dossier=sent)
    for action in (DossierAction.WITHDRAW, DossierAction.SUBMIT):
        with pytest.raises(ApplicationError) as exc:
            dossier_transition(dossier_id=sent.pk, action=action, actor=personas.citizen)
        assert exc.value.code == "invalid_transition"


def test_no_withdraw_once_received(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    # Reception belongs to the back office, not written yet: stand in for it with a raw write.
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.PROCESSING)
    with pytest.raises(ApplicationError) as exc:
        withdraw(dossier)
    assert exc.value.code == "invalid_transition"
    assert "Đang xử lý" in exc.value.message


# --- History --------------------------------------------------------------------------------------
def test_events_are_append_only(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)
    event = dossier.events.first()
    event.comment = "sửa lại lịch sử"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=dossier).update(comment="sửa hàng loạt")
    assert dossier_events_verify(dossier=dossier)


def test_tampered_event_is_detected(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)
    assert dossier_events_verify(dossier=dossier)
    first = dossier.events.order_by("sequence").first()
    with connection.cursor() as cursor:
        # Tampering behind the application's back, as a database user could.
        table = DossierEvent._meta.db_table
        cursor.execute(f"UPDATE {table} SET comment = %s WHERE id = %s", ["đã sửa", first.pk])  # noqa: S608
    assert not dossier_events_verify(dossier=dossier)


def test_deleted_event_and_status_written_around_the_door_are_detected(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED)
    assert not dossier_events_verify(dossier=dossier)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.WITHDRAWN)
    assert dossier_events_verify(dossier=dossier)
    with connection.cursor() as cursor:
        table = DossierEvent._meta.db_table
        cursor.execute(f"DELETE FROM {table} WHERE dossier_id = %s AND sequence = 1", [dossier.pk])  # noqa: S608
    assert not dossier_events_verify(dossier=dossier)


def test_hash_chain_links_each_event_to_the_previous(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)
    first, second = dossier.events.order_by("sequence")
    assert second.previous_hash == first.hash
    assert first.hash == first.compute_hash()
