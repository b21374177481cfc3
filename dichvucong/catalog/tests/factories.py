"""Procedures for tests, made through the same service the importer uses."""

from __future__ import annotations

from typing import Any

from dichvucong.catalog.models import Procedure
from dichvucong.catalog.services import procedure_field_upsert, procedure_upsert


def make_procedure(
    code: str, name: str, *, field: str = "HT", level: str = "xa", agencies=(), popularity: int = 0, **extra: Any
) -> Procedure:
    procedure_field_upsert(
        code=field,
        name={"HT": "Hộ tịch", "CT": "Chứng thực", "LLTP": "Lý lịch tư pháp"}.get(field, f"Lĩnh vực {field}"),
    )
    data = {
        "code": code,
        "name": name,
        "field": field,
        "level": level,
        "receiving_agencies": list(agencies),
        "processing_time": extra.pop("processing_time", 3),
        **extra,
    }
    procedure, _changed = procedure_upsert(data=data, popularity=popularity)
    return procedure


BIRTH_FAMILY = [
    ("1.001193", "Đăng ký khai sinh", 10),
    ("1.001695", "Đăng ký khai sinh có yếu tố nước ngoài", 50),
    ("1.004884", "Đăng ký lại khai sinh", 40),
    ("1.000689", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", 30),
    ("1.000894", "Đăng ký kết hôn", 90),
    ("1.000656", "Đăng ký khai tử", 20),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", 5),
]
