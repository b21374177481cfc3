"""Load the demo data of every app: `python manage.py demo`.

Each app that has demo data keeps it in its own `demo.py` with a `load(out)` function, found here
by app order (so agencies come before the catalogue, the catalogue before dossiers). Every loader
is idempotent: running the command again updates rows instead of duplicating them.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (cơ quan, lịch làm việc, tài khoản mẫu …). Chạy lại nhiều lần vẫn an toàn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Cho phép nạp dữ liệu mẫu khi DEBUG tắt (tài khoản mẫu có mật khẩu công khai).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: demo accounts have published passwords. Use --allow-production to load anyway."
            )
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if not config.name.startswith("dichvucong.") or find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            with transaction.atomic():
                module.load(self.stdout)
