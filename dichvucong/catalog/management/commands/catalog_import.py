"""`manage.py catalog_import PATH [--format json|xlsx] [--dry-run]`: import a catalogue file.

Prints the report in Vietnamese; exits with status 1 when any row was rejected (the good rows are
saved all the same) or when the file itself cannot be read.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dichvucong.catalog.importexport import import_catalog, read_file
from dichvucong.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp JSON hoặc Excel (.xlsx) theo docs/catalog-format.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="Đường dẫn tệp .json hoặc .xlsx")
        parser.add_argument("--format", choices=("json", "xlsx"), help="Định dạng tệp (mặc định: theo đuôi tệp)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kiểm tra và báo cáo nhưng không lưu gì vào cơ sở dữ liệu"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = read_file(options["path"], file_format=options["format"])
            with transaction.atomic():
                report = import_catalog(document)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        for line in report.lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write("Chạy thử: không có thay đổi nào được lưu.")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} dòng không nhập được.", returncode=1)
