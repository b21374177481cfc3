from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dichvucong.notifications.services import notification_templates_reset


class Command(BaseCommand):
    help = (
        "Restore the default notification templates: creates missing ones and refreshes untouched ones; "
        "templates an administrator edited are kept unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Overwrite edited templates too.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        report = notification_templates_reset(force=force)
        self.stdout.write(f"created: {len(report.created)}, updated: {len(report.updated)}")
        if report.kept_edited:
            names = ", ".join("/".join(key) for key in report.kept_edited)
            self.stdout.write(self.style.WARNING(f"kept (edited by an administrator, use --force): {names}"))
