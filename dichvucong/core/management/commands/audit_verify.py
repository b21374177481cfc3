from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.core.selectors import audit_chain_verify
from dichvucong.core.services import audit_seal


class Command(BaseCommand):
    help = "Seal the pending audit rows, then re-verify the whole audit chain (exit 1 on any mismatch)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-seal", action="store_true", help="Verify only, without sealing pending rows first.")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = 0 if options["no_seal"] else audit_seal()
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(f"Audit chain broken at position {report.broken_position}: {report.reason}")
        self.stdout.write(
            f"Audit chain intact: {report.checked} rows ({sealed} sealed now, {report.unsealed} pending)."
        )
