"""Synthetic procedures for benchmarks and load tests: realistic-looking, never mistaken for real ones.

Codes are `9.9NNNNN` (the national database has no 9.x series), names are built from word lists
of real procedure names, and every row is marked `is_demo`. `generate` is pure (a list of
exchange-format dicts, the same shape the importer reads), so tests and benchmarks can write it
to JSON or Excel; `bulk_load` saves many at once without going through procedure_upsert one by one,
but fills the same columns the one-by-one path fills (content hash, published version, search
columns), so the result is indistinguishable from an import of the same content.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from dichvucong.agencies.constants import AgencyKind, TimeUnit
from dichvucong.agencies.models import Agency
from dichvucong.catalog.constants import FeeKind, FeeType, ImplementingLevel, OnlineLevel, VersionStatus
from dichvucong.catalog.demo import CATALOG_FILE
from dichvucong.catalog.models import DossierComponent, FeeLine, Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.search import fold
from dichvucong.catalog.services import TEXT_FIELDS, content_hash, normalize_procedure, procedure_field_upsert

SYNTHETIC_PREFIX = "9.9"
MAX_COUNT = 99_999

ACTIONS = (
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Đăng ký",
    "Đăng ký thay đổi nội dung",
    "Xác nhận",
    "Thẩm định",
    "Công nhận",
    "Thu hồi",
    "Chấm dứt",
    "Thông báo",
    "Phê duyệt",
    "Giải quyết",
    "Hỗ trợ",
)
OBJECTS = (
    "giấy phép",
    "giấy chứng nhận",
    "chứng chỉ hành nghề",
    "giấy xác nhận",
    "quyết định",
    "văn bản chấp thuận",
    "hồ sơ",
    "đăng ký hoạt động",
    "chế độ trợ cấp",
    "kinh phí",
)
SUBJECTS = (
    "kinh doanh dịch vụ lữ hành nội địa",
    "hoạt động karaoke",
    "khai thác nước mặt",
    "cơ sở giáo dục mầm non",
    "thành lập nhóm trẻ độc lập",
    "kinh doanh rượu bán lẻ",
    "biểu diễn nghệ thuật",
    "quảng cáo ngoài trời",
    "sử dụng đất nông nghiệp",
    "chuyển mục đích sử dụng đất",
    "xây dựng công trình tạm",
    "phá dỡ công trình",
    "hoạt động thú y",
    "buôn bán thuốc bảo vệ thực vật",
    "khám bệnh, chữa bệnh",
    "bán lẻ thuốc",
    "lễ hội truyền thống",
    "hoạt động tín ngưỡng",
    "tổ hợp tác",
    "hợp tác xã",
    "người lao động nước ngoài",
    "bảo hiểm xã hội tự nguyện",
    "học bổng chính sách",
    "nhà ở xã hội",
    "phương tiện thủy nội địa",
    "vận tải hành khách bằng xe ô tô",
    "cơ sở bảo trợ xã hội",
    "người cao tuổi",
    "trẻ em có hoàn cảnh đặc biệt",
    "di tích lịch sử - văn hóa",
)
QUALIFIERS = (
    "",
    "",
    "",
    "đối với tổ chức",
    "đối với cá nhân",
    "đối với hộ gia đình",
    "thuộc thẩm quyền cấp tỉnh",
    "thuộc thẩm quyền cấp xã",
    "có yếu tố nước ngoài",
    "trong khu công nghiệp",
    "trên địa bàn nông thôn",
    "theo hình thức trực tuyến",
    "lần đầu",
    "do bị mất, hỏng",
)
COMPONENTS = (
    ("Đơn đề nghị theo mẫu", "", True, 1, 0),
    ("Căn cước/Căn cước công dân của người đề nghị", "cccd", True, 0, 0),
    ("Giấy chứng nhận đăng ký doanh nghiệp", "giay_chung_nhan_dkdn", False, 0, 1),
    ("Giấy chứng nhận quyền sử dụng đất", "giay_chung_nhan_qsdd", True, 0, 1),
    ("Bản thuyết minh cơ sở vật chất, trang thiết bị", "", True, 1, 0),
    ("Văn bằng, chứng chỉ chuyên môn", "van_bang", True, 0, 1),
    ("Giấy khám sức khỏe", "giay_kham_suc_khoe", False, 1, 0),
    ("Phiếu lý lịch tư pháp", "phieu_lltp", False, 1, 0),
    ("Văn bản ủy quyền (nếu có)", "van_ban_uy_quyen", False, 1, 0),
    ("Bản vẽ, sơ đồ vị trí", "ban_ve_thiet_ke", True, 2, 0),
)
FIXED_AMOUNTS = (0, 10_000, 15_000, 20_000, 50_000, 100_000, 150_000, 200_000, 500_000, 1_000_000)


def synthetic_code(number: int) -> str:
    return f"{SYNTHETIC_PREFIX}{number:05d}"


def demo_fields() -> list[dict[str, str]]:
    """The fields of the demo catalogue: synthetic procedures spread over the same, real, fields."""
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))["fields"]


def generate(
    count: int,
    *,
    seed: int = 1,
    field_codes: Sequence[str] | None = None,
    commune_agencies: Sequence[str] = (),
    provincial_agencies: Sequence[str] = (),
    start: int = 1,
) -> list[dict[str, Any]]:
    """`count` synthetic procedures in the exchange format, the same for the same seed."""
    if not 0 <= count <= MAX_COUNT or start < 1 or start + count - 1 > MAX_COUNT:
        raise ValueError(f"count must fit in {MAX_COUNT} synthetic codes")
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    field_codes = list(field_codes or [f["code"] for f in demo_fields()])
    procedures = []
    for number in range(start, start + count):
        level = ImplementingLevel.COMMUNE if rng.random() < 0.6 else ImplementingLevel.PROVINCIAL
        pool = commune_agencies if level == ImplementingLevel.COMMUNE else provincial_agencies
        agencies = sorted(rng.sample(list(pool), k=min(len(pool), rng.randint(1, 3)))) if pool else []
        name = " ".join(
            part
            for part in (rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(SUBJECTS), rng.choice(QUALIFIERS))
            if part
        )
        unit, time, cutoff = _time_limit(rng)
        procedures.append(
            {
                "code": synthetic_code(number),
                "name": name[0].upper() + name[1:],
                "field": rng.choice(field_codes),
                "level": level,
                "receiving_agencies": agencies,
                "online_level": OnlineLevel.FULL if rng.random() < 0.4 else OnlineLevel.PARTIAL,
                "legacy_level": rng.choice((None, 2, 3, 4)),
                "processing_time": time,
                "processing_time_unit": unit,
                "same_day_cutoff": cutoff,
                "competent_agency": "Ủy ban nhân dân cấp xã"
                if level == ImplementingLevel.COMMUNE
                else "Sở chuyên ngành",
                "processing_time_note": "",
                "applicants": rng.choice(("Cá nhân", "Tổ chức", "Cá nhân, tổ chức", "Hộ gia đình, cá nhân")),
                "steps": "Bước 1: Nộp hồ sơ.\nBước 2: Thẩm định hồ sơ.\nBước 3: Trả kết quả.",
                "requirements": "",
                "legal_basis": "Dữ liệu tổng hợp (không phải văn bản thật).",
                "result": rng.choice(("Giấy phép", "Giấy chứng nhận", "Quyết định", "Văn bản xác nhận")),
                "fee_note": "",
                "fees": _fees(rng),
                "components": _components(rng),
                "eform": {},
                "popularity": min(1_000_000, int(rng.paretovariate(1.2) * 10) - 10),
                "is_demo": True,
            }
        )
    return procedures


def _time_limit(rng: random.Random) -> tuple[str, int, str | None]:
    roll = rng.random()
    if roll < 0.1:
        return TimeUnit.WORKING_DAYS, 0, "15:00"
    if roll < 0.15:
        return TimeUnit.WORKING_HOURS, rng.choice((4, 8, 16)), None
    if roll < 0.25:
        return TimeUnit.CALENDAR_DAYS, rng.choice((15, 30, 45)), None
    return TimeUnit.WORKING_DAYS, rng.choice((1, 2, 3, 5, 7, 10, 15, 20)), None


def _fees(rng: random.Random) -> list[dict[str, Any]]:
    fees = []
    for _index in range(rng.choice((0, 1, 1, 1, 2))):
        if rng.random() < 0.2:
            fees.append(
                {
                    "fee_type": FeeType.FEE,
                    "name": "Phí thẩm định theo số lượng",
                    "kind": FeeKind.PER_UNIT,
                    "amount": 0,
                    "first_unit_amount": 20_000,
                    "next_unit_amount": 10_000,
                    "cap_amount": rng.choice((None, 500_000)),
                    "unit_label": "bản",
                    "quantity_field": "so_luong",
                    "exemption": "",
                }
            )
        else:
            fees.append(
                {
                    "fee_type": rng.choice((FeeType.FEE, FeeType.CHARGE)),
                    "name": "Lệ phí giải quyết thủ tục",
                    "kind": FeeKind.FIXED,
                    "amount": rng.choice(FIXED_AMOUNTS),
                    "first_unit_amount": 0,
                    "next_unit_amount": 0,
                    "cap_amount": None,
                    "unit_label": "",
                    "quantity_field": "",
                    "exemption": "",
                }
            )
    return fees


def _components(rng: random.Random) -> list[dict[str, Any]]:
    chosen = [COMPONENTS[0], *rng.sample(COMPONENTS[1:], k=rng.randint(1, 4))]
    return [
        {
            "name": name,
            "required": required,
            "originals": originals,
            "copies": copies,
            "template_name": "",
            "signature_required": False,
            "document_type": document_type,
            "note": "",
        }
        for name, document_type, required, originals, copies in chosen
    ]


def agency_pools() -> tuple[list[str], list[str]]:
    """(commune codes, provincial codes) of the agencies in the database, for `generate`."""
    communes, provincial = [], []
    for code, kind in Agency.objects.filter(valid_to__isnull=True).values_list("code", "kind"):
        (communes if kind == AgencyKind.COMMUNE_COMMITTEE else provincial).append(code)
    return communes, provincial


@dataclass(frozen=True)
class BulkResult:
    created: int
    skipped: int


@transaction.atomic
def bulk_load(procedures: list[dict[str, Any]], *, fields: list[dict[str, str]] | None = None) -> BulkResult:
    """Save many new procedures in a few queries; codes that already exist are left alone (skipped)."""
    current = dict(ProcedureField.objects.values_list("code", "name"))
    for item in fields if fields is not None else demo_fields():
        if current.get(item["code"]) != item["name"]:
            procedure_field_upsert(code=item["code"], name=item["name"])
    fields_by_code = {f.code: f for f in ProcedureField.objects.all()}
    existing = set(Procedure.objects.filter(code__in=[p["code"] for p in procedures]).values_list("code", flat=True))
    todo = [p for p in procedures if p["code"] not in existing]
    canonical = [normalize_procedure(p) for p in todo]
    wanted = {code for c in canonical for code in c["receiving_agencies"]}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=wanted)}
    if missing := wanted - set(agencies):
        raise ValueError(f"unknown agencies: {sorted(missing)[:5]}")
    if missing_fields := {c["field"] for c in canonical} - set(fields_by_code):
        raise ValueError(f"unknown fields: {sorted(missing_fields)[:5]}")

    now = timezone.now()
    rows = []
    for data, c in zip(todo, canonical, strict=True):
        field = fields_by_code[c["field"]]
        agency_names = " ".join(agencies[code].name for code in c["receiving_agencies"])
        rows.append(
            Procedure(
                code=c["code"],
                popularity=max(0, int(data.get("popularity") or 0)),
                is_demo=bool(data.get("is_demo", True)),
                name_folded=fold(c["name"])[:1000],
                # The same text procedure_index_refresh folds, so search cannot tell the two paths apart.
                search_folded=fold(" ".join([c["code"], c["name"], field.name, agency_names, c["competent_agency"]])),
            )
        )
    Procedure.objects.bulk_create(rows, batch_size=1000)
    versions = [
        ProcedureVersion(
            procedure=procedure,
            number=1,
            status=VersionStatus.PUBLISHED,
            published_at=now,
            name=c["name"],
            field=fields_by_code[c["field"]],
            level=c["level"],
            online_level=c["online_level"],
            legacy_level=c["legacy_level"],
            processing_time=c["processing_time"],
            processing_time_unit=c["processing_time_unit"],
            same_day_cutoff=_time(c["same_day_cutoff"]),
            eform=c["eform"],
            content_hash=content_hash(c),
            **{key: c[key] for key in TEXT_FIELDS},
        )
        for procedure, c in zip(rows, canonical, strict=True)
    ]
    ProcedureVersion.objects.bulk_create(versions, batch_size=1000)
    for procedure, version in zip(rows, versions, strict=True):
        procedure.current_version = version
    Procedure.objects.bulk_update(rows, ["current_version"], batch_size=1000)
    through = ProcedureVersion.receiving_agencies.through
    through.objects.bulk_create(
        [
            through(procedureversion_id=version.pk, agency_id=agencies[code].pk)
            for version, c in zip(versions, canonical, strict=True)
            for code in c["receiving_agencies"]
        ],
        batch_size=2000,
    )
    FeeLine.objects.bulk_create(
        [
            FeeLine(version=v, order=i, **fee)
            for v, c in zip(versions, canonical, strict=True)
            for i, fee in enumerate(c["fees"])
        ],
        batch_size=2000,
    )
    DossierComponent.objects.bulk_create(
        [
            DossierComponent(version=v, order=i, **comp)
            for v, c in zip(versions, canonical, strict=True)
            for i, comp in enumerate(c["components"])
        ],
        batch_size=2000,
    )
    return BulkResult(created=len(rows), skipped=len(existing))


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def delete_synthetic() -> int:
    """Remove the synthetic procedures (codes 9.9…, marked demo) and everything under them."""
    queryset = Procedure.objects.filter(code__startswith=SYNTHETIC_PREFIX, is_demo=True)
    count = queryset.count()
    Procedure.objects.filter(pk__in=queryset.values("pk")).update(current_version=None)
    ProcedureVersion.objects.filter(procedure__in=queryset).delete()
    queryset.delete()
    return count
