"""The national sync against the sandbox national portal, over real HTTP through live_server."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from dichvucong.core.testing.personas import force_login_verified
from dichvucong.dossiers.constants import DossierAction
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer
from dichvucong.interop.constants import ANSWER_BAD_SIGNATURE, ANSWER_DUPLICATE, FIELD_MAP, SyncState
from dichvucong.interop.models import NationalSyncEvent, SandboxPortalSwitch, SandboxReceipt
from dichvucong.interop.providers import check_provider, provider, sign
from dichvucong.interop.services import _claim_next, national_sync_send_dossier, national_sync_send_due

SECRET = "test-only-national-sandbox-secret-0123456789"


@pytest.fixture
def sandbox(live_server, settings):
    settings.NATIONAL_SYNC_PROVIDER = "sandbox"
    settings.NATIONAL_SANDBOX_ENABLED = True
    settings.NATIONAL_SANDBOX_SECRET = SECRET
    settings.NATIONAL_SYNC_SYSTEM_CODE = "DVCTEST"
    settings.NATIONAL_SANDBOX_URL = live_server.url + reverse("interop_sandbox:receive")
    return live_server


def _set_down(down: bool) -> None:
    SandboxPortalSwitch.objects.update_or_create(pk=1, defaults={"is_down": down})


def _received(code: str) -> list[tuple[int, str]]:
    return list(SandboxReceipt.objects.filter(dossier_code=code).values_list("sequence", "status_code"))


def test_every_status_change_reaches_the_sandbox_in_order_with_the_national_fields(sandbox):
    dossier = DossierFactory(received=True)
    rows = list(NationalSyncEvent.objects.filter(dossier=dossier))
    assert [row.state for row in rows] == [SyncState.SENT] * len(rows)
    received = _received(dossier.code)
    assert [status for _, status in received] == ["1", "2"]
    assert [sequence for sequence, _ in received] == sorted(sequence for sequence, _ in received)
    payload = SandboxReceipt.objects.filter(dossier_code=dossier.code).last().payload
    assert payload[FIELD_MAP["code"]] == dossier.code
    assert payload[FIELD_MAP["procedure_code"]] == dossier.procedure_version.procedure.code
    assert payload[FIELD_MAP["received_at"]] == timezone.localtime(dossier.received_at).strftime("%Y%m%d%H%M%S")
    assert [line["TrangThai"] for line in payload[FIELD_MAP["history"]]] == ["1", "2"]
    assert payload[FIELD_MAP["system_code"]] == "DVCTEST"


def test_drafts_are_not_synced(sandbox):
    DossierFactory()
    assert not NationalSyncEvent.objects.exists()


def test_the_outbox_keeps_the_changes_while_the_sandbox_is_down_then_delivers_them_in_order(sandbox):
    _set_down(True)
    dossier = DossierFactory(received=True)
    officer = desk_officer(dossier.agency)
    dossier = dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.SUSPEND, actor=officer, comment="Chờ kết quả xác minh."
    )
    rows = list(NationalSyncEvent.objects.filter(dossier=dossier).order_by("sequence"))
    assert len(rows) == 3
    # Only the oldest was tried: a newer status never goes before an older one still waiting.
    assert [row.attempts for row in rows] == [1, 0, 0]
    assert all(row.state == SyncState.PENDING for row in rows)
    assert "503" in rows[0].last_error
    assert rows[0].next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert _received(dossier.code) == []
    # Not due yet: the periodic retry leaves the rows alone.
    assert national_sync_send_due() == 0

    _set_down(False)
    NationalSyncEvent.objects.filter(dossier=dossier).update(next_attempt_at=timezone.now())
    assert national_sync_send_due() == 3
    assert [status for _, status in _received(dossier.code)] == ["1", "2", "8"]
    assert set(NationalSyncEvent.objects.filter(dossier=dossier).values_list("state", flat=True)) == {SyncState.SENT}


def test_backoff_doubles_and_gives_up_after_the_maximum(sandbox, settings):
    settings.NATIONAL_SYNC_MAX_ATTEMPTS = 3
    _set_down(True)
    dossier = DossierFactory(submitted=True)
    row = NationalSyncEvent.objects.get(dossier=dossier)
    delays = []
    for _ in range(2):
        before = timezone.now()
        row.refresh_from_db()
        delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
        NationalSyncEvent.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        national_sync_send_due()
    row.refresh_from_db()
    assert delays == [1, 2]
    assert row.state == SyncState.FAILED
    assert row.attempts == 3
    assert row.next_attempt_at is None


def test_no_duplicates_under_retries_and_racing_workers(sandbox):
    _set_down(True)
    dossier = DossierFactory(submitted=True)
    _set_down(False)
    NationalSyncEvent.objects.update(next_attempt_at=timezone.now())
    # Worker one claims the row; worker two, arriving while the lease runs, gets nothing to send.
    claimed = _claim_next(dossier.pk)
    assert claimed is not None
    assert _claim_next(dossier.pk) is None
    assert national_sync_send_dossier(dossier_id=dossier.pk) == 0
    # The lease ran out (worker one died mid-send): the row is sent once, by whoever comes next.
    NationalSyncEvent.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert national_sync_send_due() == 1
    # Resending everything is answered "already received" and stores nothing twice.
    call_command("interop_resend", code=dossier.code)
    assert NationalSyncEvent.objects.get(dossier=dossier).answer_code == ANSWER_DUPLICATE
    assert SandboxReceipt.objects.filter(dossier_code=dossier.code).count() == 1


def test_a_wrong_secret_is_rejected_and_the_row_waits(sandbox, settings):
    # The real provider's settings pointed at the sandbox, with a secret the sandbox does not share.
    settings.NATIONAL_SYNC_PROVIDER = "national"
    settings.NATIONAL_SYNC_URL = settings.NATIONAL_SANDBOX_URL
    settings.NATIONAL_SYNC_SECRET = "not-the-secret-the-sandbox-expects-0123"
    settings.NATIONAL_SYNC_TOKEN = "token-issued-by-the-national-side"
    dossier = DossierFactory(submitted=True)
    row = NationalSyncEvent.objects.get(dossier=dossier)
    assert row.state == SyncState.PENDING
    assert row.answer_code == ANSWER_BAD_SIGNATURE
    assert not SandboxReceipt.objects.exists()


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({}, b"{}", 401, ANSWER_BAD_SIGNATURE),
        ({"HTTP_X_DVCQG_TIMESTAMP": "1", "HTTP_X_DVCQG_SIGNATURE": "x"}, b"{}", 401, ANSWER_BAD_SIGNATURE),
        (None, b"not json", 400, "99"),
        (None, b'{"MaHoSo": "X"}', 400, "99"),
    ],
)
def test_the_receiver_refuses_unsigned_stale_or_malformed_requests(db, client, settings, headers, body, status, code):
    settings.NATIONAL_SANDBOX_ENABLED = True
    settings.NATIONAL_SANDBOX_SECRET = SECRET
    if headers is None:
        timestamp = str(int(time.time()))
        headers = {
            "HTTP_X_DVCQG_TIMESTAMP": timestamp,
            "HTTP_X_DVCQG_SIGNATURE": sign(secret=SECRET, timestamp=timestamp, body=body),
        }
    response = client.post(reverse("interop_sandbox:receive"), body, content_type="application/json", **headers)
    assert response.status_code == status
    assert json.loads(response.content)["error_code"] == code


def test_the_sandbox_is_off_in_production(db, client, settings):
    settings.NATIONAL_SANDBOX_ENABLED = False
    assert client.post(reverse("interop_sandbox:receive"), b"{}", content_type="application/json").status_code == 404
    settings.NATIONAL_SYNC_PROVIDER = "sandbox"
    assert provider() is None


def test_the_sandbox_page_is_for_staff_lists_the_history_and_switches_down(sandbox, client, personas):
    dossier = DossierFactory(received=True)
    page = reverse("interop_sandbox:received")
    assert client.get(page).status_code == 302
    client.force_login(personas.citizen)
    assert client.get(page).status_code == 302
    force_login_verified(client, personas.sysadmin)
    html = client.get(page).content.decode()
    assert "Cổng Dịch vụ công quốc gia thử nghiệm" in html
    assert f"Hồ sơ {dossier.code}" in html
    assert client.post(reverse("interop_sandbox:switch"), {"down": "1"}).status_code == 302
    assert SandboxPortalSwitch.objects.get(pk=1).is_down
    assert "đang ngừng hoạt động" in client.get(page).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
def test_eight_racing_workers_send_each_change_once_and_in_order(sandbox):
    _set_down(True)
    dossier = DossierFactory(received=True)
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.SUSPEND,
        actor=desk_officer(dossier.agency),
        comment="Chờ kết quả xác minh.",
    )
    _set_down(False)
    NationalSyncEvent.objects.update(next_attempt_at=timezone.now())
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(national_sync_send_dossier(dossier_id=dossier.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 3
    assert [status for _, status in _received(dossier.code)] == ["1", "2", "8"]
    assert list(NationalSyncEvent.objects.filter(dossier=dossier).values_list("attempts", flat=True)) == [2, 1, 1]


def test_the_sandbox_page_makes_a_fixed_number_of_queries(sandbox, client, personas, django_assert_max_num_queries):
    force_login_verified(client, personas.sysadmin)
    page = reverse("interop_sandbox:received")
    # Session, user, switch, receipts: the same bound for one dossier and for three.
    DossierFactory(submitted=True)
    with django_assert_max_num_queries(8):
        assert client.get(page).status_code == 200
    DossierFactory(received=True)
    DossierFactory(received=True)
    with django_assert_max_num_queries(8):
        assert client.get(page).status_code == 200


def test_the_system_check_reports_a_national_provider_without_its_settings(settings):
    settings.NATIONAL_SYNC_PROVIDER = "national"
    settings.NATIONAL_SYNC_URL = "https://dichvucong.gov.vn/sync"
    settings.NATIONAL_SYNC_SECRET = ""
    settings.NATIONAL_SYNC_SYSTEM_CODE = ""
    assert [error.id for error in check_provider()] == ["interop.E002"]
    assert "SECRET, SYSTEM_CODE" in check_provider()[0].msg
    settings.NATIONAL_SYNC_PROVIDER = "bogus"
    assert [error.id for error in check_provider()] == ["interop.E001"]
    settings.NATIONAL_SYNC_PROVIDER = ""
    assert check_provider() == []


def test_admins_filter_the_outbox_and_retry_a_failed_row_now(sandbox, client, personas, settings):
    settings.NATIONAL_SYNC_MAX_ATTEMPTS = 1
    _set_down(True)
    dossier = DossierFactory(submitted=True)
    row = NationalSyncEvent.objects.get(dossier=dossier)
    assert row.state == SyncState.FAILED
    _set_down(False)
    force_login_verified(client, personas.sysadmin)
    changelist = reverse("admin:interop_nationalsyncevent_changelist")
    html = client.get(changelist, {"state__exact": SyncState.FAILED}).content.decode()
    assert row.idempotency_key in html
    response = client.post(changelist, {"action": "retry_now", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == SyncState.SENT
    assert _received(dossier.code) == [(row.sequence, "1")]
