"""`manage.py catalog_generate --count 6000 [--seed 1]`: synthetic procedures for benchmarks.

Codes are 9.9NNNNN and every row is marked demo data. By default they are saved in bulk (a few
seconds for 6,000, search columns filled); with --output they are written to a .json or .xlsx
exchange file instead, to benchmark the importer.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dichvucong.catalog import synthetic
from dichvucong.catalog.importexport import FORMAT_NAME, FORMAT_VERSION, write_excel, write_json


class Command(BaseCommand):
    help = "Sinh thủ tục tổng hợp (mã 9.9xxxxx, đánh dấu dữ liệu mẫu) để đo hiệu năng."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=6000, help="Số thủ tục (mặc định 6000)")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")
        parser.add_argument("--replace", action="store_true", help="Xóa các thủ tục tổng hợp đã có trước khi sinh")
        parser.add_argument("--output", help="Ghi ra tệp .json hoặc .xlsx thay vì lưu vào cơ sở dữ liệu")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if not 1 <= count <= synthetic.MAX_COUNT:
            raise CommandError(f"--count phải từ 1 đến {synthetic.MAX_COUNT}.")
        started = time.monotonic()
        communes, provincial = synthetic.agency_pools()
        procedures = synthetic.generate(
            count, seed=options["seed"], commune_agencies=communes, provincial_agencies=provincial
        )
        if options["output"]:
            path = Path(options["output"])
            if path.suffix.lower() not in (".json", ".xlsx"):
                raise CommandError("Tên tệp phải có đuôi .json hoặc .xlsx.")
            document = {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "fields": synthetic.demo_fields(),
                "procedures": procedures,
            }
            (write_json if path.suffix.lower() == ".json" else write_excel)(document, path)
            self.stdout.write(f"Đã ghi {count} thủ tục tổng hợp ra {path} ({time.monotonic() - started:.1f} giây).")
            return
        if options["replace"]:
            removed = synthetic.delete_synthetic()
            self.stdout.write(f"Đã xóa {removed} thủ tục tổng hợp cũ.")
        result = synthetic.bulk_load(procedures)
        self.stdout.write(
            f"Thủ tục tổng hợp: {result.created} mới, {result.skipped} đã có ({time.monotonic() - started:.1f} giây)."
        )
