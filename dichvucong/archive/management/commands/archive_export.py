from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.archive.selectors import dossiers_due_for_archiving
from dichvucong.archive.services import archive_export
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Export finished dossiers as BagIt packages: one by --code, or every dossier due for archiving (--due)."

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--code", help="The dossier's code.")
        which.add_argument("--due", action="store_true", help="Every finished dossier due for archiving.")
        parser.add_argument("--out", required=True, type=Path, help="Directory the bags are written into.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            dossier = Dossier.objects.filter(code=options["code"][:40]).first()
            if dossier is None:
                raise CommandError(f"No dossier with code {options['code']}.")
            dossiers = [dossier]
        else:
            dossiers = list(dossiers_due_for_archiving())
        options["out"].mkdir(parents=True, exist_ok=True)
        failed = 0
        for dossier in dossiers:
            try:
                path = archive_export(dossier=dossier, out_dir=options["out"])
            except ApplicationError as exc:
                failed += 1
                self.stderr.write(f"{dossier.code}: {exc.message}")
            else:
                self.stdout.write(f"{dossier.code}: {path}")
        if failed:
            raise CommandError(f"{failed} of {len(dossiers)} dossiers were not exported.")
        self.stdout.write(f"{len(dossiers)} bag(s) written to {options['out']}.")
