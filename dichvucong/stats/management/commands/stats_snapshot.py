from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dichvucong.stats.definitions import TIMEZONE
from dichvucong.stats.services import snapshot_store_range


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê theo ngày (bảng tổng hợp) cho các ngày từ --from đến --to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="YYYY-MM-DD (mặc định: hôm qua)")

    def handle(self, *args: Any, **options: Any) -> None:
        first = _day(options["first"])
        yesterday = timezone.now().astimezone(TIMEZONE).date() - dt.timedelta(days=1)
        last = _day(options["last"]) if options["last"] else yesterday
        if last < first:
            raise CommandError("Ngày kết thúc phải sau ngày bắt đầu.")
        days = snapshot_store_range(first=first, last=last)
        self.stdout.write(f"Đã tính {days} ngày, từ {first} đến {last}.")
