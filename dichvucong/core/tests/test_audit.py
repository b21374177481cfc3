"""The audit log: officers' reads and moves are recorded, sealed into a chain, tamper-evident, shown to the owner."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from dichvucong.core.constants import AuditAction
from dichvucong.core.models import AuditEntry, AuditSeal
from dichvucong.core.selectors import audit_chain_verify
from dichvucong.core.services import audit_record, audit_seal
from dichvucong.core.testing.personas import force_login_verified
from dichvucong.dossiers.constants import DossierAction as A
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.dossiers.tests.test_form import draft_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(personas, birth_procedure):
    dossier = draft_with_files(personas, birth_procedure)
    return dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)


def _raw_update(entry_id: int, column: str, value: str) -> None:
    # Straight SQL, as someone with database access would do it: the model refuses updates.
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s"  # noqa: S608 (test names)
        cursor.execute(sql, [value, entry_id])


def _raw_delete(entry_id: int) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry_id])  # noqa: S608 (the model's own table)


def _entries(personas, sent, n: int = 3) -> list[AuditEntry]:
    return [
        audit_record(actor=personas.officer_a, action=AuditAction.DOSSIER_VIEW, dossier=sent, data={"n": i})
        for i in range(n)
    ]


def test_an_officers_page_view_and_download_write_one_row_each_with_the_address_and_browser(client, personas, sent):
    force_login_verified(client, personas.officer_a)
    page = client.get(
        reverse("backoffice:dossier", args=[sent.code]), HTTP_USER_AGENT="Trình duyệt thử", REMOTE_ADDR="10.1.2.3"
    )
    assert page.status_code == 200
    view = AuditEntry.objects.get(action=AuditAction.DOSSIER_VIEW)
    assert (view.actor, view.actor_label, view.agency_name) == (personas.officer_a, "Lê Văn Cường", "Sở Thử nghiệm A")
    assert (view.dossier_id, view.dossier_code, view.ip_address) == (sent.pk, sent.code, "10.1.2.3")
    assert view.user_agent == "Trình duyệt thử"
    file = sent.files.first()
    assert client.get(reverse("backoffice:file", args=[file.pk])).status_code == 200
    download = AuditEntry.objects.get(action=AuditAction.FILE_DOWNLOAD)
    assert (download.object_type, download.object_id, download.object_label) == (
        "dossier_file",
        str(file.pk),
        file.name,
    )
    assert AuditEntry.objects.count() == 2


def test_a_404_is_not_a_read_and_a_citizen_is_not_audited(client, personas, sent):
    force_login_verified(client, personas.officer_b)
    assert client.get(reverse("backoffice:dossier", args=[sent.code])).status_code == 404
    assert client.get(reverse("backoffice:file", args=[sent.files.first().pk])).status_code == 404
    client.force_login(personas.citizen)
    assert client.get(reverse("dossiers:detail", args=[sent.code])).status_code == 200
    assert not AuditEntry.objects.exists()


def test_behind_the_trusted_proxy_the_forwarded_address_is_kept_and_a_forged_one_dropped(
    client, settings, personas, sent
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_HOPS = 2  # a load balancer (10.0.0.1) in front of nginx
    force_login_verified(client, personas.officer_a)
    url = reverse("backoffice:dossier", args=[sent.code])
    client.get(url, HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.1")
    client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert list(AuditEntry.objects.order_by("id").values_list("ip_address", flat=True)) == [None, "203.0.113.9"]


def test_behind_one_proxy_an_address_the_client_put_in_x_forwarded_for_is_not_believed(
    client, settings, personas, sent
):
    # nginx appends the address it saw to whatever X-Forwarded-For the client sent.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_HOPS = 1
    force_login_verified(client, personas.officer_a)
    client.get(reverse("backoffice:dossier", args=[sent.code]), HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    assert list(AuditEntry.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_dossier_transition_writes_the_action_row(personas, sent):
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.tests.factories import UserFactory
    from dichvucong.core.testing.personas import make_officer

    desk = make_officer(UserFactory(officer=True, full_name="Đặng Thị Mai"), personas.agency_a, OfficerRole.ONE_STOP)
    dossier_transition(dossier_id=sent.pk, action=A.RECEIVE, actor=desk, data={"assignee": personas.officer_a.pk})
    entry = AuditEntry.objects.get(action=AuditAction.DOSSIER_ACTION)
    assert (entry.actor_label, entry.object_label, entry.data["to"]) == (
        "Đặng Thị Mai",
        "Tiếp nhận hồ sơ",
        "processing",
    )
    assert not AuditEntry.objects.filter(actor=personas.citizen).exists()  # the citizen's submit is not audited


def test_the_tracking_book_export_writes_one_row_per_dossier_in_the_book(client, personas, sent):
    force_login_verified(client, personas.officer_a)
    response = client.get(reverse("backoffice:tracking_book"))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TRACKING_BOOK_EXPORT)
    assert (entry.dossier_id, entry.data) == (sent.pk, {"format": "xlsx"})


def test_sealing_chains_the_rows_and_the_verifier_accepts_the_intact_chain(personas, sent):
    _entries(personas, sent)
    assert audit_chain_verify().unsealed == 3
    assert audit_seal() == 3
    assert audit_seal() == 0  # idempotent
    rows = list(AuditEntry.objects.order_by("position"))
    assert [r.position for r in rows] == [1, 2, 3]
    assert rows[0].previous_hash == ""
    assert rows[1].previous_hash == rows[0].hash
    assert AuditSeal.objects.get().hash == rows[2].hash
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.unsealed) == (True, 3, 0)


def test_a_row_committed_after_a_later_one_was_sealed_joins_the_chain_at_the_end(personas, sent):
    first, _second = _entries(personas, sent, 2)
    _raw_delete(first.pk)  # as if `first` had not committed yet when the job ran
    audit_seal()
    first.save(force_insert=True)  # now it commits, with its lower id
    audit_seal()
    assert AuditEntry.objects.get(pk=first.pk).position == 2
    assert audit_chain_verify().ok


@pytest.mark.parametrize(
    ("column", "value"), [("actor_label", "Người khác"), ("ip_address", "192.0.2.1"), ("dossier_code", "X")]
)
def test_editing_a_sealed_row_in_the_database_is_detected(personas, sent, column, value):
    entries = _entries(personas, sent)
    audit_seal()
    _raw_update(entries[1].pk, column, value)
    report = audit_chain_verify()
    assert (report.ok, report.broken_position) == (False, 2)
    assert "đã bị sửa" in report.reason


def test_deleting_a_sealed_row_or_the_last_one_is_detected(personas, sent):
    entries = _entries(personas, sent)
    audit_seal()
    _raw_delete(entries[2].pk)
    report = audit_chain_verify()
    assert (report.ok, report.broken_position) == (False, 3)
    _raw_delete(entries[0].pk)
    report = audit_chain_verify()
    assert (report.ok, report.broken_position) == (False, 1)
    assert "Thiếu dòng nhật ký" in report.reason


def test_the_model_refuses_updates_and_the_command_exits_non_zero_on_tampering(personas, sent, capsys):
    entries = _entries(personas, sent)
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entries[0].pk).update(actor_label="x")
    call_command("audit_verify")
    assert "Audit chain intact: 3 rows" in capsys.readouterr().out
    _raw_update(entries[0].pk, "user_agent", "sửa")
    with pytest.raises(CommandError, match="position 1"):
        call_command("audit_verify")


def test_the_citizen_sees_who_at_which_agency_read_their_dossier_and_nothing_of_other_dossiers(client, personas, sent):
    other = DossierFactory(submitted=True, applicant=personas.other_citizen, agency=personas.agency_a)
    audit_record(actor=personas.officer_a, action=AuditAction.DOSSIER_VIEW, dossier=sent)
    file = sent.files.first()
    audit_record(actor=personas.officer_a, action=AuditAction.FILE_DOWNLOAD, dossier=sent, object_label=file.name)
    audit_record(actor=personas.agency_admin_a, action=AuditAction.DOSSIER_VIEW, dossier=other)
    client.force_login(personas.citizen)
    page = client.get(reverse("dossiers:detail", args=[sent.code])).content.decode()
    assert "Ai đã xem hồ sơ của tôi" in page
    assert "Lê Văn Cường" in page
    assert "Sở Thử nghiệm A" in page
    assert f"Tải tệp đính kèm: {file.name}" in page
    assert "Tổng số lượt cán bộ xem hoặc xử lý hồ sơ: 2." in page
    assert "Hoàng Văn Em" not in page  # read another citizen's dossier
    client.force_login(personas.other_citizen)
    assert client.get(reverse("dossiers:detail", args=[sent.code])).status_code == 404
    page = client.get(reverse("dossiers:detail", args=[other.code])).content.decode()
    assert "Hoàng Văn Em" in page
    assert "Lê Văn Cường" not in page


def test_the_citizens_reads_section_is_one_query_capped_at_fifty_with_the_count(
    client, personas, sent, django_assert_num_queries
):
    from dichvucong.core.selectors import dossier_reads

    for _ in range(3):
        _entries(personas, sent, 20)
    with django_assert_num_queries(1):
        reads = dossier_reads(dossier_id=sent.pk)
    assert (len(reads.entries), reads.total) == (50, 60)
    client.force_login(personas.citizen)
    page = client.get(reverse("dossiers:detail", args=[sent.code])).content.decode()
    assert "Tổng số lượt cán bộ xem hoặc xử lý hồ sơ: 60." in page
    assert "Hiển thị 50 lượt gần nhất." in page


def test_the_admin_changelist_is_searchable_and_read_only_even_for_a_superuser(client, personas, sent, admin_user):
    _entries(personas, sent, 2)
    force_login_verified(client, admin_user)
    url = reverse("admin:core_auditentry_changelist")
    response = client.get(url, {"q": sent.code})
    assert response.status_code == 200
    assert "Lê Văn Cường" in response.content.decode()
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    entry = AuditEntry.objects.first()
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(reverse("admin:dossiers_dossier_change", args=[sent.pk])).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.ADMIN_VIEW, dossier_id=sent.pk).count() == 1


@pytest.mark.parametrize("rows", [2, 40])
def test_the_admin_changelist_costs_the_same_queries_for_2_and_40_rows(
    client, personas, sent, admin_user, django_assert_max_num_queries, rows
):
    _entries(personas, sent, rows)
    force_login_verified(client, admin_user)
    # Measured 9 for 2 and for 40 rows: the names are copied on the row, nothing is fetched per row.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("admin:core_auditentry_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count("Lê Văn Cường") >= rows
