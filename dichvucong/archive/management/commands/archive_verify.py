from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.archive.bags import bag_verify


class Command(BaseCommand):
    help = "Validate a BagIt package (manifests, Payload-Oxum) and re-verify its history chain; exit 1 on mismatch."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        report = bag_verify(options["path"])
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{options['path']}: the bag does not verify ({len(report.errors)} problem(s)).")
        self.stdout.write(f"{options['path']}: valid bag, history chain intact.")
