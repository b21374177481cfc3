"""Integrity checks: tampering done in the database behind the application's back is found, alerted
once, shown on the officers' dossier page, and makes `manage.py integrity_verify` fail."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from dichvucong.core.testing.personas import force_login_verified
from dichvucong.dossiers.constants import DossierAction as A
from dichvucong.dossiers.models import DossierEvent, DossierFile
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer
from dichvucong.dossiers.tests.test_form import draft_with_files
from dichvucong.integrity.constants import ALERT_EVENT, FindingKind, Scope
from dichvucong.integrity.models import IntegrityCursor, IntegrityFinding
from dichvucong.integrity.services import integrity_verify_events, integrity_verify_step
from dichvucong.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=False)


def _raw_update(table: str, column: str, value: object, pk: int) -> None:
    with connection.cursor() as cursor:
        # As a database user could, around every guard of the models.
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def _tamper_event(dossier, sequence: int) -> None:
    event = DossierEvent.objects.get(dossier=dossier, sequence=sequence)
    _raw_update(DossierEvent._meta.db_table, "comment", "đã sửa lén", event.pk)


def test_a_sound_database_passes_and_the_command_exits_zero(personas, capsys):
    DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    call_command("integrity_verify")
    assert "0 broken" in capsys.readouterr().out
    assert not IntegrityFinding.objects.exists()


def test_an_edited_event_is_found_with_the_first_bad_event_alerted_once_and_shown(
    client, personas, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    other = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    _tamper_event(dossier, 2)

    with django_capture_on_commit_callbacks(execute=True):
        result = integrity_verify_events(limit=100)
    assert result.checked == 2
    [finding] = result.broken
    assert (finding.kind, finding.dossier_id, finding.event_sequence, finding.reason) == (
        FindingKind.EVENT_CHAIN,
        dossier.pk,
        2,
        "hash",
    )
    alerts = Notification.objects.filter(event=ALERT_EVENT)
    assert set(alerts.values_list("user", flat=True)) == {personas.sysadmin.pk}
    assert dossier.code in alerts.first().body_text

    # Checking again: the same finding, no second alert.
    with django_capture_on_commit_callbacks(execute=True):
        integrity_verify_events(limit=100)
    assert IntegrityFinding.objects.count() == 1
    assert Notification.objects.filter(event=ALERT_EVENT).count() == alerts.count()

    officer = desk_officer(personas.agency_a)
    force_login_verified(client, officer)
    page = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert "Lịch sử hồ sơ đã bị thay đổi" in page
    assert "#2" in page
    clean_page = client.get(reverse("backoffice:dossier", args=[other.code])).content.decode()
    assert "data-integrity-banner" not in clean_page


def test_a_status_written_around_the_door_and_deleted_events_are_found(personas):
    written = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    _raw_update("dossiers_dossier", "status", "returned", written.pk)
    gap = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {DossierEvent._meta.db_table} WHERE dossier_id = %s AND sequence = 1",  # noqa: S608
            [gap.pk],
        )
    emptied = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DossierEvent._meta.db_table} WHERE dossier_id = %s", [emptied.pk])  # noqa: S608
    DossierFactory(applicant=personas.citizen, agency=personas.agency_a)  # a draft: no history yet, and sound
    found = {f.dossier_id: (f.event_sequence, f.reason) for f in integrity_verify_events(limit=10).broken}
    assert found == {written.pk: (2, "status"), gap.pk: (2, "sequence"), emptied.pk: (1, "sequence")}


def test_a_changed_file_and_a_lost_file_are_found_and_the_command_fails(personas, birth_procedure, capsys):
    dossier = draft_with_files(personas, birth_procedure)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)
    changed, lost = list(DossierFile.objects.filter(dossier=dossier).order_by("pk"))[:2]
    with changed.file.storage.open(changed.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 not the citizen's file any more")
    lost.file.storage.delete(lost.file.name)

    with pytest.raises(SystemExit) as exit_info:
        call_command("integrity_verify", "--batch", "1")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"BROKEN file_changed file:{changed.pk}" in out
    assert f"BROKEN file_missing file:{lost.pk}" in out
    kinds = dict(IntegrityFinding.objects.values_list("target", "kind"))
    assert kinds == {f"file:{changed.pk}": FindingKind.FILE_CHANGED, f"file:{lost.pk}": FindingKind.FILE_MISSING}


def test_a_restored_event_closes_the_finding(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    event = DossierEvent.objects.get(dossier=dossier, sequence=1)
    _raw_update(DossierEvent._meta.db_table, "comment", "đã sửa lén", event.pk)
    integrity_verify_events(limit=10)
    _raw_update(DossierEvent._meta.db_table, "comment", event.comment, event.pk)
    integrity_verify_events(limit=10)
    assert IntegrityFinding.objects.get().resolved_at is not None


def test_the_periodic_step_works_in_bounded_batches_and_starts_again(personas, django_assert_max_num_queries):
    dossiers = [DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True) for _ in range(3)]
    _tamper_event(dossiers[2], 1)
    # A batch costs the same queries whatever its size: per scope its cursor (get_or_create, with its
    # savepoints, and the save), the dossiers or files, the events, the closing of sound findings.
    with django_assert_max_num_queries(20):
        assert integrity_verify_step(limit=2)[Scope.EVENTS] == 2
    assert not IntegrityFinding.objects.exists()
    assert integrity_verify_step(limit=2)[Scope.EVENTS] == 1
    assert IntegrityFinding.objects.get().dossier_id == dossiers[2].pk
    assert integrity_verify_step(limit=2)[Scope.EVENTS] == 0
    cursor = IntegrityCursor.objects.get(scope=Scope.EVENTS)
    assert (cursor.last_pk, cursor.rounds) == (0, 1)
