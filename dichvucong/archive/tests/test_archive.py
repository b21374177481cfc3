"""Archive packages: a finished dossier's bag, its verification, tampering, retention data and the due list."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dichvucong.archive.bags import bag_build, bag_verify
from dichvucong.archive.models import ArchivePackage, MetadataField, RetentionPeriod
from dichvucong.archive.selectors import dossiers_due_for_archiving, retention_for
from dichvucong.archive.services import archive_export
from dichvucong.core.constants import AuditAction
from dichvucong.core.errors import ApplicationError
from dichvucong.core.models import AuditEntry
from dichvucong.dossiers.constants import DossierAction as A
from dichvucong.dossiers.models import DocumentKind
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.dossiers.tests.test_form import draft_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(personas, birth_procedure):
    """An's dossier with two files, refused at the desk: finished, with a refusal slip."""
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.tests.factories import UserFactory
    from dichvucong.core.testing.personas import make_officer

    desk = make_officer(UserFactory(officer=True, full_name="Đặng Thị Mai"), personas.agency_a, OfficerRole.ONE_STOP)
    dossier = draft_with_files(personas, birth_procedure)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.REFUSE, actor=desk, comment="Không thuộc thẩm quyền.")
    content = b"%PDF-1.7 tai lieu can bo"
    dossier.documents.create(
        kind=DocumentKind.OFFICER,
        file=ContentFile(content, name="bien-ban.pdf"),
        name="bien-ban.pdf",
        extension="pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf",
        created_by=desk,
    )
    return dossier


@pytest.fixture
def bag(refused, tmp_path):
    return archive_export(dossier=refused, out_dir=tmp_path / "bags")


def test_the_bag_holds_files_declaration_slips_history_and_metadata_and_verifies(bag, refused):
    data = bag / "data"
    names = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}
    assert {"to-khai.pdf", "phieu/refusal.pdf", "lich-su.json", "metadata.json", "metadata.xml"} <= names
    assert len([n for n in names if n.startswith("ho-so/")]) == refused.files.count() == 2
    assert [n for n in names if n.startswith("tai-lieu/")] == [f"tai-lieu/{refused.documents.get().pk}-bien-ban.pdf"]
    history = json.loads((data / "lich-su.json").read_text(encoding="utf-8"))
    assert history["chain_intact"] is True
    hashes = list(refused.events.order_by("sequence").values_list("hash", flat=True))
    assert [e["hash"] for e in history["events"]] == hashes
    metadata = {item["key"]: item for item in json.loads((data / "metadata.json").read_text(encoding="utf-8"))}
    assert metadata["ma-ho-so"]["value"] == refused.code
    assert metadata["ma-thu-tuc"]["value"] == "1.001193"
    assert metadata["thoi-han-bao-quan"]["value"] == "10 năm"
    assert metadata["ma-ho-so"]["verified"] is False
    assert "Mã hồ sơ" in (data / "metadata.xml").read_text(encoding="utf-8")
    assert "External-Identifier: " + refused.code in (bag / "bag-info.txt").read_text(encoding="utf-8")
    assert (bag / "manifest-sha256.txt").exists()
    assert bag_verify(bag).ok
    assert ArchivePackage.objects.filter(dossier=refused).count() == 1


def test_a_changed_file_a_removed_file_and_an_added_file_each_fail_verification(bag, tmp_path):
    import shutil

    for damage in ("change", "remove", "add"):
        copy = tmp_path / damage
        shutil.copytree(bag, copy)
        target = next((copy / "data" / "ho-so").iterdir())
        if damage == "change":
            target.write_bytes(target.read_bytes() + b"x")
        elif damage == "remove":
            target.unlink()
        else:
            (copy / "data" / "them.txt").write_text("không có trong bản kê")
        report = bag_verify(copy)
        assert not report.ok, damage
        assert report.errors


def test_a_history_rewritten_with_a_fresh_manifest_still_fails_on_the_chain(bag):
    """Someone edits the history and regenerates bagit's manifests: the event hashes give it away."""
    import bagit

    history_path = bag / "data" / "lich-su.json"
    history = json.loads(history_path.read_text(encoding="utf-8"))
    history["events"][-1]["comment"] = "Hồ sơ hợp lệ."
    history_path.write_text(json.dumps(history, ensure_ascii=False), encoding="utf-8")
    rebagged = bagit.Bag(str(bag))
    rebagged.save(manifests=True)
    report = bag_verify(bag)
    assert not report.ok
    assert "does not match its hash" in report.errors[0]


def test_archive_verify_exits_non_zero_on_a_mismatch_and_zero_on_a_good_bag(bag, capsys):
    call_command("archive_verify", str(bag))
    assert "valid bag" in capsys.readouterr().out
    (bag / "data" / "to-khai.pdf").write_bytes(b"%PDF-1.7 changed")
    with pytest.raises(CommandError) as caught:
        call_command("archive_verify", str(bag))
    assert caught.value.returncode == 1


def test_archive_export_by_code_and_refusal_of_an_unfinished_dossier(refused, personas, tmp_path, capsys):
    call_command("archive_export", "--code", refused.code, "--out", str(tmp_path))
    assert bag_verify(tmp_path / refused.code).ok
    open_dossier = DossierFactory(submitted=True, applicant=personas.citizen, agency=personas.agency_a)
    with pytest.raises(ApplicationError, match="đã kết thúc"):
        bag_build(dossier=open_dossier, out_dir=tmp_path)
    with pytest.raises(CommandError):
        call_command("archive_export", "--code", open_dossier.code, "--out", str(tmp_path / "x"))


def test_retention_periods_are_data_per_procedure_with_a_default(refused):
    procedure = refused.procedure_version.procedure
    assert retention_for(procedure_id=procedure.pk).years == 10
    RetentionPeriod.objects.create(procedure=procedure, years=None, basis="Hộ tịch", verified=True)
    assert retention_for(procedure_id=procedure.pk).label == "Vĩnh viễn"
    assert MetadataField.objects.filter(verified=False).count() == MetadataField.objects.count() >= 10


def test_the_due_list_takes_finished_dossiers_after_the_delay_and_not_those_already_packaged(
    refused, personas, settings, tmp_path
):
    settings.ARCHIVE_DUE_AFTER_DAYS = 30
    DossierFactory(submitted=True, applicant=personas.citizen, agency=personas.agency_a)
    assert list(dossiers_due_for_archiving()) == []
    later = timezone.now() + timedelta(days=31)
    assert list(dossiers_due_for_archiving(now=later)) == [refused]
    with time_machine.travel(later, tick=False):
        from dichvucong.archive.tasks import archive_due_report

        assert archive_due_report.call_local() == [refused.code]
        call_command("archive_export", "--due", "--out", str(tmp_path))
        assert list(dossiers_due_for_archiving()) == []


def test_an_officers_export_is_audited(refused, personas, tmp_path):
    archive_export(dossier=refused, out_dir=tmp_path, actor=personas.officer_a)
    assert AuditEntry.objects.filter(action=AuditAction.ARCHIVE_EXPORT, dossier_id=refused.pk).count() == 1


def test_the_admin_action_downloads_the_bag_as_a_zip_only_for_the_officers_own_agency(
    client, refused, personas, admin_user, tmp_path
):
    import io
    import zipfile

    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from dichvucong.core.testing.personas import force_login_verified

    url = reverse("admin:dossiers_dossier_changelist")
    payload = {"action": "download_archive_package", "_selected_action": [refused.pk]}
    force_login_verified(client, admin_user)
    response = client.post(url, payload)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    archive.extractall(tmp_path)
    assert bag_verify(tmp_path / refused.code).ok
    # An agency administrator of agency B, allowed to view dossiers, gets no bag of agency A's dossier.
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.tests.factories import UserFactory
    from dichvucong.core.testing.personas import make_officer

    admin_b = make_officer(UserFactory(officer=True, is_staff=True), personas.agency_b, OfficerRole.AGENCY_ADMIN)
    admin_b.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    force_login_verified(client, admin_b)
    response = client.post(url, payload, follow=True)
    assert response.get("Content-Type", "").startswith("text/html")
    assert "Vui lòng chọn đúng một hồ sơ của cơ quan bạn." in response.content.decode()
    assert ArchivePackage.objects.filter(dossier=refused).count() == 1
