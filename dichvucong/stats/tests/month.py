"""A hand-built month of dossiers (November 2026) made through the real services at the real moments.

Shared by the definitions test and the snapshot/page tests, with the numbers it must give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import time_machine

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.dossiers.constants import DossierAction, IntakeChannel
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import dossier_create_draft, dossier_transition
from dichvucong.dossiers.tests.factories import desk_officer, procedure_for, supplement_items
from dichvucong.stats.definitions import TIMEZONE, Period

A = DossierAction
NOVEMBER = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
_TO_RESULT = (A.FORWARD, A.FORWARD, A.FORWARD, A.FINISH)
_COMMENTS = {
    A.REFUSE: "Hồ sơ không thuộc thẩm quyền giải quyết.",
    A.PROPOSE_REFUSAL: "Đề xuất từ chối: không thuộc thẩm quyền.",
    A.SUSPEND: "Chờ kết quả xác minh của cơ quan khác.",
    A.EXTEND: "Xin lỗi vì chậm trễ do phải xác minh thêm.",
}


def at(day: dt.date | str, hour: int = 9) -> dt.datetime:
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TIMEZONE)


@dataclass
class Month:
    agency: Any
    procedure: Any
    dossiers: dict[str, Dossier]


class _Builder:
    def __init__(self, agency: Any, procedure: Any) -> None:
        self.agency, self.procedure = agency, procedure
        self.officer = desk_officer(agency)

    def new(self, when: dt.datetime, channel: str = IntakeChannel.ONLINE) -> Dossier:
        with time_machine.travel(when, tick=False):
            dossier = dossier_create_draft(procedure=self.procedure, applicant=UserFactory(), agency=self.agency)
            if channel != IntakeChannel.ONLINE:
                # Papers brought to the desk: the desk sends the draft it typed (the one-door rule).
                Dossier.objects.filter(pk=dossier.pk).update(channel=channel)
                dossier.refresh_from_db()
            return self.move(dossier, when, A.SUBMIT)

    def move(self, dossier: Dossier, when: dt.datetime, *actions: str, **data: Any) -> Dossier:
        with time_machine.travel(when, tick=False):
            for action in actions:
                by_applicant = action in (A.SUBMIT, A.SUBMIT_SUPPLEMENT, A.WITHDRAW)
                if action == A.SUBMIT and dossier.channel != IntakeChannel.ONLINE:
                    by_applicant = False
                actor = dossier.applicant if by_applicant else self.officer
                payload = dict(data)
                if action == A.REQUEST_SUPPLEMENT:
                    payload["items"] = supplement_items(dossier)
                dossier = dossier_transition(
                    dossier_id=dossier.pk,
                    action=action,
                    actor=actor,
                    comment=_COMMENTS.get(action, ""),
                    data=payload or None,
                )
        return dossier

    def received(self, when: dt.datetime, channel: str = IntakeChannel.ONLINE) -> Dossier:
        return self.move(self.new(when, channel), when, A.RECEIVE)

    def returned(self, dossier: Dossier, when: dt.datetime) -> Dossier:
        return self.move(dossier, when, *_TO_RESULT, A.RETURN_RESULT)


def appointment_day(dossier: Dossier) -> dt.date:
    return dossier.appointment_at.astimezone(TIMEZONE).date()


def build_month() -> Month:
    """Twelve dossiers around November 2026 (1 November is a Sunday; 3 working days to process)."""
    agency = AgencyFactory()
    b = _Builder(agency, procedure_for(agency))
    ds: dict[str, Dossier] = {}
    # Received in October, returned late in November: carried over, and late.
    ds["carried_late"] = b.received(at("2026-10-27"))
    ds["carried_late"] = b.returned(ds["carried_late"], at("2026-11-03"))
    # Returned the day after reception: early.
    ds["early"] = b.returned(b.received(at("2026-11-02")), at("2026-11-03"))
    # Returned on its appointment day: on time.
    on_time = b.received(at("2026-11-02", 10))
    ds["on_time"] = b.returned(on_time, at(appointment_day(on_time), 8))
    # Paused two days by a supplement during processing: the appointment moves, returning on the
    # moved day is on time although it is after the first computed date.
    paused = b.received(at("2026-11-09"))
    first_day = appointment_day(paused)
    paused = b.move(paused, at("2026-11-10"), A.REQUEST_SUPPLEMENT)
    paused = b.move(paused, at("2026-11-12"), A.SUBMIT_SUPPLEMENT)
    assert appointment_day(paused) > first_day
    ds["supplement_on_time"] = b.returned(paused, at(appointment_day(paused), 8))
    # Extended with an apology to 25 November, returned on 20 November: late against the original date.
    extended = b.received(at("2026-11-09", 10))
    extended = b.move(extended, at("2026-11-11"), A.EXTEND, new_appointment_at="2026-11-25T17:00:00+07:00")
    ds["extended_late"] = b.returned(extended, at("2026-11-20"))
    # Received at the desk, refused during processing.
    ds["refused_in_processing"] = b.move(
        b.received(at("2026-11-16"), IntakeChannel.IN_PERSON), at("2026-11-17"), A.PROPOSE_REFUSAL, A.REFUSE
    )
    # Refused at reception: refused, never received.
    ds["refused_at_reception"] = b.move(b.new(at("2026-11-16", 10)), at("2026-11-16", 14), A.REFUSE)
    # Withdrawn by the citizen before reception.
    ds["withdrawn"] = b.move(b.new(at("2026-11-18")), at("2026-11-18", 15), A.WITHDRAW)
    # Received by post on 23 November, still processing on 1 December: overdue at the end.
    ds["overdue"] = b.received(at("2026-11-23"), IntakeChannel.POST)
    # Received on Friday 27 November, due in December: in progress within time.
    ds["in_time"] = b.received(at("2026-11-27"))
    # Suspended on 25 November and still suspended: paused.
    ds["suspended"] = b.move(b.received(at("2026-11-24")), at("2026-11-25"), A.SUSPEND)
    # Received in December: outside the month.
    ds["december"] = b.received(at("2026-12-01"))
    return Month(agency=agency, procedure=b.procedure, dossiers=ds)


# What November must give for the agency of build_month().
EXPECTED_NOVEMBER = {
    "received_online": 6,
    "received_in_person": 1,
    "received_post": 1,
    "carried_over": 1,
    "processed_early": 1,
    "processed_on_time": 2,
    "processed_late": 2,
    "refused": 2,
    "withdrawn": 1,
    "in_progress_on_time": 1,
    "in_progress_overdue": 1,
    "paused": 1,
}
