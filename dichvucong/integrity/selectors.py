"""Reads of the integrity findings."""

from __future__ import annotations

from dichvucong.integrity.constants import FindingKind
from dichvucong.integrity.models import IntegrityFinding


def dossier_open_findings(*, dossier_id: int) -> list[IntegrityFinding]:
    """The open findings of one dossier, its history first (one indexed query, for the officers' page)."""
    findings = list(IntegrityFinding.objects.filter(dossier_id=dossier_id, resolved_at__isnull=True).order_by("pk"))
    return sorted(findings, key=lambda finding: finding.kind != FindingKind.EVENT_CHAIN)
