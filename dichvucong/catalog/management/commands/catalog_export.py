"""`manage.py catalog_export PATH`: write the catalogue (current versions) to .json or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.catalog.importexport import export_catalog, write_excel, write_json
from dichvucong.catalog.models import Procedure


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính (phiên bản đang áp dụng) ra tệp .json hoặc .xlsx."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="Tệp đích, .json hoặc .xlsx")
        parser.add_argument("--code", action="append", default=[], help="Chỉ xuất thủ tục có mã này (lặp lại được)")
        parser.add_argument("--demo-only", action="store_true", help="Chỉ xuất dữ liệu mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        suffix = path.suffix.lower()
        if suffix not in (".json", ".xlsx"):
            raise CommandError("Tên tệp phải có đuôi .json hoặc .xlsx.")
        queryset = None
        if options["code"] or options["demo_only"]:
            queryset = Procedure.objects.all()
            if options["code"]:
                queryset = queryset.filter(code__in=options["code"])
            if options["demo_only"]:
                queryset = queryset.filter(is_demo=True)
        document = export_catalog(queryset)
        (write_json if suffix == ".json" else write_excel)(document, path)
        self.stdout.write(
            f"Đã xuất {len(document['procedures'])} thủ tục, {len(document['fields'])} lĩnh vực ra {path}."
        )
