"""Dossiers along their procedure's process: steps, holders, deadlines, pauses, hand-offs.

Dates are written out and the clock is set with time-machine; the calendar is Vietnam's (Tết 2026:
Saturday 14 to Sunday 22 February off).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.errors import ApplicationError
from dichvucong.core.testing.personas import make_officer
from dichvucong.dossiers.constants import DossierAction as A
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.selectors import dossier_handoffs
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import procedure_for, supplement_items
from dichvucong.dossiers.tests.test_form import draft_with_files
from dichvucong.workflow.constants import DEFAULT_STEPS
from dichvucong.workflow.engine import EARLY, LATE, ON_TIME

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    year, month, date = (int(x) for x in day.split("-"))
    return dt.datetime(year, month, date, hour, minute, tzinfo=HCM)


@dataclass
class Staff:
    desk: object
    specialist: object
    head: object
    leader: object
    clerk: object


@pytest.fixture
def staff(personas) -> Staff:
    agency = personas.agency_a

    def officer(username: str, name: str, role: str):
        return make_officer(UserFactory(officer=True, username=username, full_name=name), agency, role)

    return Staff(
        desk=officer("motcua.a", "Đặng Thị Mai", OfficerRole.ONE_STOP),
        specialist=personas.officer_a,
        head=officer("truongphong.a", "Ngô Văn Hải", OfficerRole.HEAD_OF_DEPARTMENT),
        leader=officer("giamdoc.a", "Vũ Thị Lan", OfficerRole.AGENCY_LEADER),
        clerk=officer("vanthu.a", "Bùi Văn Toàn", OfficerRole.CLERK),
    )


@pytest.fixture
def procedure(personas):
    return procedure_for(personas.agency_a, processing_time=5)


def sent(personas, procedure) -> Dossier:
    dossier = Dossier.objects.filter(applicant=personas.citizen).first() or draft_with_files(personas, procedure)
    return dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)


def move(dossier: Dossier, action: str, actor, comment: str = "", **data) -> Dossier:
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=actor, comment=comment, data=data or None)


@pytest.fixture
def birth(personas, birth_procedure):
    """Đăng ký khai sinh as the conftest makes it: 3 working days unless a test says otherwise."""
    return birth_procedure


def test_the_acceptance_deadline_is_eight_working_hours_and_crosses_a_weekend(personas, birth):
    with time_machine.travel(at("2026-03-20", 14), tick=False):  # Friday 14:00
        dossier = sent(personas, birth)
    assert dossier.acceptance_due_at == at("2026-03-23", 14)  # Monday 14:00


def test_reception_on_a_friday_afternoon_counts_from_there(personas, birth, staff):
    with time_machine.travel(at("2026-03-20", 14), tick=False):
        dossier = sent(personas, birth)
    with time_machine.travel(at("2026-03-20", 16), tick=False):  # Friday 16:00, 3 working days
        dossier = move(dossier, A.RECEIVE, staff.desk)
    # Friday 1 h, Monday 8 h, Tuesday 8 h, Wednesday 7 h: Wednesday 16:00.
    assert dossier.appointment_at == at("2026-03-25", 16)
    assert dossier.step_order == 1
    assert dossier.assignee is None
    # The specialist's step has half of 24 working hours: Friday 1 h, Monday 8 h, Tuesday 3 h.
    assert dossier.step_due_at == at("2026-03-24", 10, 30)


def test_a_dossier_spanning_tet_2026_skips_the_nine_days_off(personas, birth, staff):
    birth.current_version.__class__.objects.filter(pk=birth.current_version.pk).update(processing_time=5)
    with time_machine.travel(at("2026-02-12", 8), tick=False):  # Thursday before Tết
        dossier = sent(personas, birth)
    with time_machine.travel(at("2026-02-12", 9), tick=False):
        dossier = move(dossier, A.RECEIVE, staff.desk)
    # Thu 6.5 h, Fri 13/2 8 h, then nothing until Mon 23/2: 8 + 8 + 8 h, Thu 26/2 1.5 h.
    assert dossier.appointment_at == at("2026-02-26", 9)


def test_a_pause_of_three_working_days_moves_the_appointment_by_three_working_days(personas, birth, staff):
    birth.current_version.__class__.objects.filter(pk=birth.current_version.pk).update(processing_time=5)
    with time_machine.travel(at("2026-03-16", 7, 45), tick=False):
        dossier = sent(personas, birth)
    with time_machine.travel(at("2026-03-16", 8), tick=False):  # Monday 08:00, 5 working days
        dossier = move(dossier, A.RECEIVE, staff.desk)
    assert dossier.appointment_at == at("2026-03-23", 8)
    step_due = dossier.step_due_at
    with time_machine.travel(at("2026-03-17", 10), tick=False):  # Tuesday: the specialist asks
        dossier = move(
            dossier, A.REQUEST_SUPPLEMENT, staff.specialist, "Bổ sung bản chụp rõ nét.", items=supplement_items(dossier)
        )
    with time_machine.travel(at("2026-03-20", 10), tick=False):  # Friday: the citizen answers
        dossier = move(dossier, A.SUBMIT_SUPPLEMENT, personas.citizen)
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.appointment_at == at("2026-03-26", 8)  # Monday 23 + 3 working days
    assert dossier.step_order == 1
    assert dossier.step_due_at > step_due


def test_the_whole_default_process_with_a_send_back_and_the_control_slip_marks(personas, birth, staff):
    with time_machine.travel(at("2026-03-16", 7, 45), tick=False):
        dossier = sent(personas, birth)
    with time_machine.travel(at("2026-03-16", 8), tick=False):  # Monday; acceptance due Tuesday 07:45
        dossier = move(dossier, A.RECEIVE, staff.desk, assignee=staff.specialist.pk)
    assert dossier.assignee == staff.specialist
    with time_machine.travel(at("2026-03-17", 9), tick=False):  # step 1 (12 h) due Tuesday 13:30
        dossier = move(dossier, A.FORWARD, staff.specialist, "Trình lãnh đạo phòng.")
    assert dossier.step_order == 2
    with time_machine.travel(at("2026-03-17", 10), tick=False):
        dossier = move(dossier, A.SEND_BACK, staff.head, "Bổ sung ý kiến thẩm định.")
    # Back to the specialist who did step 1.
    assert (dossier.step_order, dossier.assignee) == (1, staff.specialist)
    with time_machine.travel(at("2026-03-20", 16), tick=False):  # long after the step's due time
        dossier = move(dossier, A.FORWARD, staff.specialist, "Đã bổ sung ý kiến.")
    with time_machine.travel(at("2026-03-20", 16, 30), tick=False):
        dossier = move(dossier, A.FORWARD, staff.head, "Trình ký.")
        dossier = move(dossier, A.FORWARD, staff.leader, "Đồng ý.")
        dossier = move(dossier, A.FINISH, staff.clerk, "Đã vào sổ.")
    assert dossier.status == DossierStatus.RESULT_READY
    assert dossier.step_order == len(DEFAULT_STEPS)
    with time_machine.travel(at("2026-03-23", 8), tick=False):
        dossier = move(dossier, A.RETURN_RESULT, staff.desk)
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.assignee is None

    rows = dossier_handoffs(dossier=dossier)
    assert [row.step for row in rows] == [
        "Tiếp nhận hồ sơ",
        DEFAULT_STEPS[0][1],
        DEFAULT_STEPS[1][1],
        DEFAULT_STEPS[0][1],
        DEFAULT_STEPS[1][1],
        DEFAULT_STEPS[2][1],
        DEFAULT_STEPS[3][1],
        DEFAULT_STEPS[4][1],
    ]
    marks = [row.timeliness for row in rows]
    assert marks[0] == EARLY  # received Monday 08:00, due Tuesday 07:45
    assert marks[1] == ON_TIME  # forwarded Tuesday 09:00, due Tuesday 13:30: the same day
    assert marks[2] == ON_TIME  # sent back Tuesday 10:00, the head's step (3.5 h) due Tuesday 14:00
    assert marks[3] == LATE  # the specialist's second turn ended Friday 16:00
    assert rows[0].giver == str(staff.desk)
    assert rows[0].receiver == str(staff.specialist)
    assert rows[-1].receiver == dossier.owner_name


def test_a_specialist_cannot_take_a_leaders_step_nor_an_officer_of_another_agency(personas, birth, staff):
    dossier = move(sent(personas, birth), A.RECEIVE, staff.desk)
    dossier = move(dossier, A.FORWARD, staff.specialist)
    dossier = move(dossier, A.FORWARD, staff.head)
    with pytest.raises(ApplicationError) as error:
        move(dossier, A.FORWARD, staff.specialist)
    assert error.value.code == "forbidden"
    every_role = [role for role in OfficerRole.values if role != OfficerRole.SYSTEM_ADMIN]
    other = make_officer(UserFactory(officer=True), personas.agency_b, *every_role)
    with pytest.raises(ApplicationError) as error:
        move(dossier, A.FORWARD, other)
    assert error.value.code == "forbidden"
    assert Dossier.objects.get(pk=dossier.pk).step_order == 3


def test_the_receiving_desk_may_hand_the_dossier_only_to_an_officer_who_holds_the_step(personas, birth, staff):
    dossier = sent(personas, birth)
    with pytest.raises(ApplicationError, match="không thực hiện được bước"):
        move(dossier, A.RECEIVE, staff.desk, assignee=staff.clerk.pk)
    with pytest.raises(ApplicationError, match="không hợp lệ"):
        move(dossier, A.RECEIVE, staff.desk, assignee="not-a-number")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED


def test_a_refusal_proposed_by_the_specialist_is_decided_by_the_head(personas, birth, staff):
    dossier = move(sent(personas, birth), A.RECEIVE, staff.desk)
    dossier = move(dossier, A.PROPOSE_REFUSAL, staff.specialist, "Người yêu cầu không có quyền đăng ký.")
    assert dossier.refusal_proposed
    assert dossier.step_order == 2
    dossier = move(dossier, A.REFUSE, staff.head, "Không đủ điều kiện đăng ký khai sinh.")
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.assignee is None


def test_an_extension_keeps_the_original_appointment(personas, birth, staff):
    with time_machine.travel(at("2026-03-16", 8), tick=False):
        dossier = move(sent(personas, birth), A.RECEIVE, staff.desk)
    original = dossier.appointment_at
    with pytest.raises(ApplicationError, match="sau ngày hẹn hiện tại"):
        move(dossier, A.EXTEND, staff.leader, "Chờ xác minh.", new_appointment_at=original.isoformat())
    with pytest.raises(ApplicationError, match="ngày làm việc"):
        move(dossier, A.EXTEND, staff.leader, "Chờ xác minh.", new_appointment_at="2026-03-28T17:00:00+07:00")
    dossier = move(dossier, A.EXTEND, staff.leader, "Chờ xác minh.", new_appointment_at="2026-03-27T17:00:00+07:00")
    assert dossier.original_appointment_at == original
    assert dossier.appointment_at == at("2026-03-27", 17)


def test_deadline_alerts_reach_the_desk_and_the_step_holder_once_per_deadline(personas, birth, staff):
    from dichvucong.dossiers.services import dossier_deadline_alerts
    from dichvucong.notifications.models import Notification

    with time_machine.travel(at("2026-03-20", 14), tick=False):  # Friday: acceptance due Monday 14:00
        late = sent(personas, birth)
    with time_machine.travel(at("2026-03-23", 13), tick=False):  # Monday 13:00: not yet
        assert dossier_deadline_alerts() == 0
    with time_machine.travel(at("2026-03-23", 14, 30), tick=False):
        dossier_deadline_alerts()
        again = dossier_deadline_alerts()
    assert again == 0  # once per deadline
    alerted = set(
        Notification.objects.filter(event="officer_deadline", channel="in_app").values_list("user__username", flat=True)
    )
    assert alerted == {"motcua.a", "giamdoc.a"}  # the desk and the agency leader, not the specialist
    message = Notification.objects.filter(event="officer_deadline", user=staff.desk).first()
    assert late.code in message.subject
    assert "quá hạn tiếp nhận" in message.subject
    # Received and handed to the specialist: reminded when the step is due within 2 working hours.
    with time_machine.travel(at("2026-03-23", 15), tick=False):
        dossier = move(late, A.RECEIVE, staff.desk, assignee=staff.specialist.pk)
    due = dossier.step_due_at  # 12 working hours later: Tuesday 16:00 + … (see the calendar)
    Notification.objects.all().delete()
    with time_machine.travel(due - dt.timedelta(hours=1), tick=False):
        dossier_deadline_alerts()
    assert set(Notification.objects.filter(channel="in_app").values_list("user__username", flat=True)) == {"canbo.a"}
