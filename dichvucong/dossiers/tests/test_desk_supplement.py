"""A desk dossier's supplement received at the desk for its owner: the citizen's own move, made by the desk.

The owner of a desk dossier may hold only the inactive account the desk made from the CCCD, so the papers
come back to the one-stop desk, which scans them (bản số hóa) and sends the supplement on their behalf.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.agencies.calendar import calendar_for
from dichvucong.core.errors import ApplicationError
from dichvucong.core.testing.personas import make_officer
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.dossiers.selectors_pages import dossier_page
from dichvucong.dossiers.services import (
    DeskOwner,
    desk_receives_supplement,
    dossier_file_add,
    dossier_file_remove,
    dossier_register_at_desk,
    dossier_transition,
    dossier_update_draft,
)
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer, procedure_for
from dichvucong.dossiers.tests.samples import as_upload, pdf_bytes

pytestmark = pytest.mark.django_db

OWNER = DeskOwner(full_name="Trần Văn Phúc", national_id="046190000777", phone="0912000777")


@pytest.fixture
def desk(personas):
    return make_officer(
        UserFactory(officer=True, username="motcua.a", full_name="Đỗ Thị Hoa"), personas.agency_a, OfficerRole.ONE_STOP
    )


@pytest.fixture
def procedure(personas):
    return procedure_for(
        personas.agency_a,
        components=[{"name": "Tờ khai đăng ký", "required": True}, {"name": "Sổ hộ khẩu", "required": False}],
    )


def scan(text: str = "Bản quét") -> object:
    return as_upload(pdf_bytes(text), "ban-quet.pdf", "application/pdf")


def registered(desk, procedure, **kwargs) -> Dossier:
    component = procedure.current_version.components.get(name="Tờ khai đăng ký")
    kwargs.setdefault("owner", OWNER)
    return dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=kwargs.pop("channel", IntakeChannel.IN_PERSON),
        files=[(component.pk, scan())],
        **kwargs,
    )


def ask_supplement(dossier: Dossier) -> Dossier:
    """The specialist asks for a clearer copy of the declaration during processing: the clock stops."""
    component = dossier.procedure_version.components.get(name="Tờ khai đăng ký")
    return dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=desk_officer(dossier.agency),
        data={"items": [{"component": component.pk, "reason": "Bản quét mờ, đề nghị nộp lại."}]},
    )


def test_the_desk_answers_for_an_owner_without_account_and_the_clock_resumes_as_online(desk, procedure, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
    dossier = ask_supplement(registered(desk, procedure))
    assert dossier.applicant.is_active is False  # the owner cannot log in to answer
    appointment_before = dossier.appointment_at
    asked_at = DossierEvent.objects.get(dossier=dossier, action=DossierAction.REQUEST_SUPPLEMENT).created_at
    assert desk_receives_supplement(dossier, desk)

    time_machine.move_to(dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
    component = procedure.current_version.components.get(name="Tờ khai đăng ký")
    record = dossier_file_add(dossier=dossier, component_id=component.pk, upload=scan("Bản rõ"), actor=desk)
    assert (record.digitised, record.round, record.uploaded_by) == (True, 1, desk)
    answered = dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=desk)

    assert answered.status == DossierStatus.PROCESSING  # back to where it was asked
    event = DossierEvent.objects.get(dossier=dossier, action=DossierAction.SUBMIT_SUPPLEMENT)
    assert (event.actor, event.actor_label, event.data["at_desk"], event.data["files"]) == (
        desk,
        "Đỗ Thị Hoa",
        True,
        [record.pk],
    )
    calendar = calendar_for(dossier.agency)
    paused = calendar.working_time_between(asked_at, timezone.now())
    assert paused > dt.timedelta(0)
    assert answered.appointment_at == calendar.add_working_time(appointment_before, paused)
    entry = dossier_page(dossier=answered, viewer=desk).timeline[-1]
    assert (entry.at_desk, entry.by_officer, entry.files) == (True, True, [record])


def test_the_desk_may_not_withdraw_or_touch_what_was_not_asked(desk, procedure):
    dossier = ask_supplement(registered(desk, procedure))
    with pytest.raises(ApplicationError) as refused:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.WITHDRAW, actor=desk)
    assert refused.value.code == "forbidden"
    other = procedure.current_version.components.get(name="Sổ hộ khẩu")
    with pytest.raises(ApplicationError, match="không nằm trong nội dung yêu cầu bổ sung"):
        dossier_file_add(dossier=dossier, component_id=other.pk, upload=scan(), actor=desk)
    with pytest.raises(ApplicationError) as not_editable:
        dossier_update_draft(dossier=dossier, actor=desk, owner_name="Tên khác")
    assert not_editable.value.code == "not_draft"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUPPLEMENT_REQUESTED


def test_a_scan_of_this_round_can_be_taken_out_one_sent_before_is_kept(desk, procedure):
    dossier = ask_supplement(registered(desk, procedure))
    component = procedure.current_version.components.get(name="Tờ khai đăng ký")
    first = dossier.files.get()
    wrong = dossier_file_add(dossier=dossier, component_id=component.pk, upload=scan("Nhầm"), actor=desk)
    dossier_file_remove(dossier=dossier, file_id=wrong.pk, actor=desk)
    dossier_file_remove(dossier=dossier, file_id=first.pk, actor=desk)
    first.refresh_from_db()
    assert not dossier.files.filter(pk=wrong.pk).exists()
    assert first.replaced_at is not None  # the agency received it: kept as replaced


@pytest.mark.parametrize("who", ["officer_b", "officer_a", "sysadmin", "other_citizen"])
def test_only_the_dossiers_own_one_stop_desk_may(personas, desk, procedure, who):
    """The desk of agency B, a specialist of A, an administrator, another citizen: none of them."""
    dossier = ask_supplement(registered(desk, procedure))
    component = procedure.current_version.components.get(name="Tờ khai đăng ký")
    actor = getattr(personas, who)
    assert not desk_receives_supplement(dossier, actor)
    with pytest.raises(ApplicationError) as refused:
        dossier_file_add(dossier=dossier, component_id=component.pk, upload=scan(), actor=actor)
    assert refused.value.code == "forbidden"
    with pytest.raises(ApplicationError) as refused:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=actor)
    assert refused.value.code == "forbidden"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUPPLEMENT_REQUESTED


def test_an_online_dossier_is_answered_by_its_owner_only(personas, desk):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, supplement_in_processing=True)
    assert not desk_receives_supplement(dossier, desk)
    with pytest.raises(ApplicationError) as refused:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=desk)
    assert refused.value.code == "forbidden"


def test_an_owner_with_an_account_keeps_their_own_path(personas, desk, procedure):
    dossier = ask_supplement(registered(desk, procedure, owner=None, applicant=personas.citizen))
    assert desk_receives_supplement(dossier, desk)  # the citizen may come to the desk…
    component = procedure.current_version.components.get(name="Tờ khai đăng ký")
    # … or answer online: their own upload is theirs, not a desk scan, and the history says nothing of a desk.
    record = dossier_file_add(dossier=dossier, component_id=component.pk, upload=scan(), actor=personas.citizen)
    assert record.digitised is False
    dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=personas.citizen)
    event = DossierEvent.objects.get(dossier=dossier, action=DossierAction.SUBMIT_SUPPLEMENT)
    assert "at_desk" not in event.data
    answered = Dossier.objects.get(pk=dossier.pk)
    assert dossier_page(dossier=answered, viewer=personas.citizen).timeline[-1].at_desk is False
    assert not desk_receives_supplement(answered, desk)  # answered: nothing left to take
