"""Desk reception (tiếp nhận trực tiếp, qua bưu chính): the same door, code, calendar and process as online."""

from __future__ import annotations

import re

import pytest

from dichvucong.accounts.constants import AccountKind, OfficerRole
from dichvucong.accounts.models import User
from dichvucong.accounts.services import RegistrationData, account_register
from dichvucong.core.errors import ApplicationError
from dichvucong.core.testing.personas import make_officer
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.lookup import dossier_lookup
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.selectors import dossiers_for_applicant
from dichvucong.dossiers.services import (
    DeskOwner,
    dossier_desk_open,
    dossier_desk_receive,
    dossier_file_add,
    dossier_register_at_desk,
    dossier_transition,
)
from dichvucong.dossiers.tests.factories import procedure_for
from dichvucong.dossiers.tests.samples import as_upload, pdf_bytes
from dichvucong.notifications.models import Notification

pytestmark = pytest.mark.django_db

CCCD = "046190000777"
OWNER = DeskOwner(full_name="Trần Văn Phúc", national_id=CCCD, phone="0912000777", street_address="5 Lê Duẩn")


@pytest.fixture
def desk(personas):
    """The one-stop officer of agency A (personas: canbo.a is a specialist there, canbo.b the desk of B)."""
    from dichvucong.accounts.tests.factories import UserFactory

    return make_officer(
        UserFactory(officer=True, username="motcua.a", full_name="Đỗ Thị Hoa"), personas.agency_a, OfficerRole.ONE_STOP
    )


@pytest.fixture
def procedure(personas):
    return procedure_for(personas.agency_a, components=[{"name": "Tờ khai đăng ký", "required": True}])


def paper():
    return as_upload(pdf_bytes("Bản scan tờ khai"), "scan.pdf", "application/pdf")


def register(desk, procedure, **kwargs):
    component = procedure.current_version.components.get()
    kwargs.setdefault("owner", OWNER)
    return dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=kwargs.pop("channel", IntakeChannel.IN_PERSON),
        files=[(component.pk, paper())],
        **kwargs,
    )


def test_desk_dossier_gets_code_appointment_history_process_like_an_online_one(
    desk, procedure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = register(desk, procedure, channel=IntakeChannel.POST)
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.channel == IntakeChannel.POST
    assert re.fullmatch(r"[A-Z0-9.\-]+", dossier.code)
    assert dossier.appointment_at is not None
    assert dossier.received_at is not None
    assert dossier.process_id is not None
    assert dossier.step_order is not None
    events = list(dossier.events.values_list("action", "actor__username"))
    assert events == [(DossierAction.SUBMIT, "motcua.a"), (DossierAction.RECEIVE, "motcua.a")]
    assert dossier.events.first().data["channel"] == IntakeChannel.POST
    scanned = DossierFile.objects.get(dossier=dossier)
    assert scanned.digitised
    assert scanned.uploaded_by == desk
    # The owner hears about it like an online applicant: by SMS to the phone written at the desk.
    assert Notification.objects.filter(event="dossier_submitted", channel="sms", recipient="+84912000777").exists()
    assert dossier.owner_national_id == CCCD
    assert dossier.owner_name == "Trần Văn Phúc"


def test_then_follows_the_process_forward_like_an_online_dossier(personas, procedure):
    from dichvucong.dossiers.tests.factories import desk_officer

    officer = desk_officer(personas.agency_a)
    dossier = register(officer, procedure)
    moved = dossier_transition(dossier_id=dossier.pk, action=DossierAction.FORWARD, actor=officer)
    assert moved.step_order > dossier.step_order
    assert moved.status == DossierStatus.PROCESSING


def test_owner_without_account_gets_an_unverified_account_tied_to_the_cccd(desk, procedure):
    dossier = register(desk, procedure)
    account = dossier.applicant
    assert (account.national_id, account.is_active, account.has_usable_password()) == (CCCD, False, False)
    assert account.kind == AccountKind.CITIZEN
    # The same person brought in again: the same account, not a second one.
    again = register(desk, procedure)
    assert again.applicant_id == account.pk
    assert User.objects.filter(national_id=CCCD).count() == 1
    # The citizen looks it up by code and CCCD at /tra-cuu/.
    assert dossier_lookup(code=dossier.code, national_id=CCCD) is not None


def test_real_owner_registering_with_cccd_and_phone_takes_the_account_and_its_dossiers(desk, procedure):
    dossier = register(desk, procedure)
    data = RegistrationData(
        kind=AccountKind.CITIZEN,
        full_name="Trần Văn Phúc",
        password="Mật-khẩu-dài-9x",
        phone="+84912000777",
        national_id=CCCD,
    )
    user, _otp = account_register(data=data)
    assert user.pk == dossier.applicant_id
    assert user.has_usable_password()


def test_someone_else_registering_with_the_cccd_is_refused_and_the_dossier_kept(desk, procedure):
    dossier = register(desk, procedure)
    data = RegistrationData(
        kind=AccountKind.CITIZEN,
        full_name="Kẻ Mạo Danh",
        password="Mật-khẩu-dài-9x",
        phone="+84988111222",
        national_id=CCCD,
    )
    with pytest.raises(ApplicationError) as caught:
        account_register(data=data)
    assert caught.value.code == "desk_account"
    assert Dossier.objects.get(pk=dossier.pk).applicant.national_id == CCCD


def test_an_active_account_with_the_cccd_must_be_chosen_not_merged(personas, desk, procedure):
    personas.citizen.national_id = CCCD
    personas.citizen.save()
    with pytest.raises(ApplicationError) as caught:
        register(desk, procedure)
    assert caught.value.code == "account_exists"
    assert not Dossier.objects.exists()
    chosen = register(desk, procedure, owner=None, applicant=personas.citizen)
    assert chosen.applicant == personas.citizen
    assert chosen.channel == IntakeChannel.IN_PERSON


@pytest.mark.parametrize("who", ["officer_b", "specialist", "citizen"])
def test_only_the_receiving_desk_may_register(personas, procedure, who):
    actor = {
        "officer_b": personas.officer_b,  # the desk of another agency
        "specialist": personas.officer_a,  # agency A, without the one-stop role
        "citizen": personas.citizen,
    }[who]
    with pytest.raises(ApplicationError) as caught:
        register(actor, procedure)
    assert caught.value.code in {"forbidden", "agency_invalid"}
    assert not Dossier.objects.exists()
    assert not User.objects.filter(national_id=CCCD).exists()


def test_a_missing_paper_is_refused_and_leaves_nothing_behind(desk, procedure):
    with pytest.raises(ApplicationError) as caught:
        dossier_register_at_desk(officer=desk, procedure=procedure, channel=IntakeChannel.IN_PERSON, owner=OWNER)
    assert caught.value.code == "incomplete"
    assert not Dossier.objects.exists()
    assert not User.objects.filter(national_id=CCCD).exists()


def test_online_channel_and_bad_cccd_are_refused(desk, procedure):
    with pytest.raises(ApplicationError):
        dossier_desk_open(officer=desk, procedure=procedure, channel=IntakeChannel.ONLINE, owner=OWNER)
    with pytest.raises(ApplicationError) as caught:
        dossier_desk_open(
            officer=desk, procedure=procedure, channel=IntakeChannel.POST, owner=DeskOwner("Phúc", "12ab")
        )
    assert caught.value.extra["field"] == "national_id"


def test_desk_draft_is_the_desks_not_the_citizens(personas, desk, procedure):
    draft = dossier_desk_open(
        officer=desk, procedure=procedure, channel=IntakeChannel.IN_PERSON, applicant=personas.citizen
    )
    assert not dossiers_for_applicant(user=personas.citizen).filter(pk=draft.pk).exists()
    component = procedure.current_version.components.get()
    for outsider in (personas.citizen, personas.officer_b):
        with pytest.raises(ApplicationError):
            dossier_file_add(dossier=draft, component_id=component.pk, upload=paper(), actor=outsider)
        with pytest.raises(ApplicationError):
            dossier_desk_receive(dossier=draft, officer=outsider)
    dossier_file_add(dossier=draft, component_id=component.pk, upload=paper(), actor=desk)
    received = dossier_desk_receive(dossier=draft, officer=desk)
    assert dossiers_for_applicant(user=personas.citizen).filter(pk=received.pk).exists()
