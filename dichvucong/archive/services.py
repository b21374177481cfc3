from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

import bagit
from django.db import transaction

from dichvucong.archive.bags import bag_build
from dichvucong.archive.models import ArchivePackage
from dichvucong.core.constants import AuditAction
from dichvucong.core.services import audit_record
from dichvucong.dossiers.models import Dossier


def archive_export(*, dossier: Dossier, out_dir: Path, actor: Any = None) -> Path:
    """Build the dossier's bag under out_dir and record the package (and, for an officer, the audit row)."""
    path = bag_build(dossier=dossier, out_dir=out_dir)
    bag = bagit.Bag(str(path))
    manifest = (path / "manifest-sha256.txt").read_bytes()
    with transaction.atomic():
        ArchivePackage.objects.create(
            dossier=dossier,
            created_by=actor,
            payload_oxum=bag.info.get("Payload-Oxum", ""),
            manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        )
        if actor is not None:
            audit_record(actor=actor, action=AuditAction.ARCHIVE_EXPORT, dossier=dossier, object_type="archive")
    return path


def archive_zip(*, dossier: Dossier, actor: Any) -> bytes:
    """The dossier's bag as one zip (for a download), recorded like any export."""
    with tempfile.TemporaryDirectory(prefix="bag-") as work:
        path = archive_export(dossier=dossier, out_dir=Path(work) / "bag", actor=actor)
        archive = shutil.make_archive(str(Path(work) / "zip"), "zip", root_dir=path.parent, base_dir=path.name)
        return Path(archive).read_bytes()
