from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dichvucong.core.errors import ApplicationError
from dichvucong.interop.services import national_sync_resend_dossier


class Command(BaseCommand):
    help = "Gửi lại toàn bộ sự kiện của một hồ sơ lên Cổng Dịch vụ công quốc gia, theo thứ tự."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="Mã hồ sơ")

    def handle(self, *args: Any, code: str, **options: Any) -> None:
        try:
            sent = national_sync_resend_dossier(code=code)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{code}: {sent}")
