from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.codes import dossier_code_next
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory

SENDERS = 50


@pytest.mark.django_db(transaction=True)
def test_code_next_outside_a_transaction_is_refused(personas):
    # Without the caller's transaction the counter lock would end before the dossier is saved.
    with pytest.raises(RuntimeError):
        dossier_code_next(agency=personas.agency_a, day=dt.date(2026, 3, 16))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_sends_to_one_agency_get_fifty_distinct_codes(personas):
    # password=None: no password hashing (Argon2 is slow on purpose) for fifty throwaway applicants.
    dossiers = [DossierFactory(agency=personas.agency_a, applicant=UserFactory(password=None)) for _ in range(SENDERS)]
    barrier = threading.Barrier(SENDERS)
    errors: list[BaseException] = []

    def send(dossier: Dossier) -> None:
        try:
            barrier.wait(timeout=30)
            dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=dossier.applicant)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(d,)) for d in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sent = Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
    assert sent.filter(status=DossierStatus.SUBMITTED).count() == SENDERS
    codes = list(sent.values_list("code", flat=True))
    assert len(set(codes)) == SENDERS
    day = Dossier.objects.filter(pk=dossiers[0].pk).values_list("submitted_at", flat=True).get()
    local_day = day.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    # Unless the run straddles midnight, the numbers are exactly 1…50: none lost, none doubled.
    if all(code.split("-")[1] == f"{local_day:%y%m%d}" for code in codes):
        assert numbers == list(range(1, SENDERS + 1))
        assert DossierCodeCounter.objects.get(agency=personas.agency_a, day=local_day).last_value == SENDERS
    assert DossierEvent.objects.filter(dossier__in=sent).count() == SENDERS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_of_one_dossier_gives_one_code(personas):
    dossier = DossierFactory(agency=personas.agency_a)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=dossier.applicant)
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["invalid_transition"] * 9 + ["ok"]
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert DossierCodeCounter.objects.get(agency=personas.agency_a).last_value == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_on_the_same_page_one_succeeds_the_other_is_told_to_reload(personas):
    from dichvucong.dossiers.tests.factories import desk_officer

    dossier = DossierFactory(agency=personas.agency_a, submitted=True)
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.core.testing.personas import make_officer

    # Two officers of the agency, both looking at the same version of the page.
    first = desk_officer(personas.agency_a)
    second = make_officer(UserFactory(officer=True, password=None), personas.agency_a, OfficerRole.ONE_STOP)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(officer, action: str, comment: str) -> None:
        try:
            barrier.wait(timeout=30)
            dossier_transition(
                dossier_id=dossier.pk, action=action, actor=officer, comment=comment, expected_version=dossier.version
            )
            outcomes.append(f"{action}:ok")
        except ApplicationError as exc:
            outcomes.append(f"{action}:{exc.code}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(first, DossierAction.RECEIVE, "")),
        threading.Thread(target=act, args=(second, DossierAction.REFUSE, "Không thuộc thẩm quyền.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2
    assert sum(outcome.endswith(":ok") for outcome in outcomes) == 1
    assert sum(outcome.endswith(":stale") for outcome in outcomes) == 1
    final = Dossier.objects.get(pk=dossier.pk)
    assert final.status in (DossierStatus.PROCESSING, DossierStatus.REFUSED)
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2  # sent, then exactly one officer move
