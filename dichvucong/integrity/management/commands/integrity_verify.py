"""manage.py integrity_verify: verify every event chain and every stored file; exit 1 on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.integrity.services import finding_detail, integrity_verify_all


class Command(BaseCommand):
    help = "Verify every dossier's event chain and every stored file's SHA-256; exit 1 on any break."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="objects read per query (default 1000)")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        checked, broken = integrity_verify_all(limit=batch)
        for finding in broken:
            where = finding.dossier.code or finding.dossier.pk
            self.stdout.write(f"BROKEN {finding.kind} {finding.target} dossier={where}: {finding_detail(finding)}")
        self.stdout.write(f"{checked} objects checked, {len(broken)} broken")
        if broken:
            raise SystemExit(1)
