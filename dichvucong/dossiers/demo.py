"""Demo dossiers of the demo citizen (046090001234), in every folder of "Hồ sơ của tôi".

They are made the way real ones are: a draft through the services, files checked by content,
then the citizen's and the officers' moves through the one door (dossier_transition), so the
history, codes, appointment dates and hash chain are real. Loaded once: when the citizen already
has dossiers, nothing is added (a tester's own dossiers are never touched).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from dichvucong.accounts.models import User
from dichvucong.agencies.models import Agency
from dichvucong.catalog.models import Procedure
from dichvucong.dossiers.constants import SUPPLEMENT_EFORM, DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import (
    DeskOwner,
    dossier_create_draft,
    dossier_file_add,
    dossier_register_at_desk,
    dossier_result_upload,
    dossier_transition,
    dossier_update_draft,
)

CITIZEN = "046090001234"
THUAN_HOA = "000.60.01.H57"
HUE, THUAN_HOA_WARD = 46, 19786
DESK, SPECIALIST, HEAD, LEADER, CLERK = (
    "motcua.thuanhoa",
    "chuyenvien.thuanhoa",
    "truongphong.thuanhoa",
    "chutich.thuanhoa",
    "vanthu.thuanhoa",
)

BIRTH = "1.001193"  # Đăng ký khai sinh: with the demo e-form
RESIDENCE = "1.004194"  # Đăng ký tạm trú: files only
# The result document of each, signed by the clerk in the demo.
RESULTS = {BIRTH: "trich-luc-khai-sinh", RESIDENCE: "xac-nhan-dang-ky-tam-tru"}

_A = DossierAction
# Through the default process (workflow.constants.DEFAULT_STEPS), each step by its own officer.
_TO_RESULT = (
    (_A.FORWARD, SPECIALIST, "Hồ sơ đầy đủ, hợp lệ; đã dự thảo kết quả."),
    (_A.FORWARD, HEAD, "Trình lãnh đạo phê duyệt."),
    (_A.FORWARD, LEADER, "Đồng ý."),
    (_A.SIGN, CLERK, "Đã vào sổ, ký số."),
)


@dataclass(frozen=True)
class Scenario:
    procedure: str
    child: str  # who the dossier is about, so the list is easy to tell apart
    moves: tuple[tuple[str, str, str], ...]  # (action, username or "", comment)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(BIRTH, "Nguyễn Minh Khang", ()),
    Scenario(RESIDENCE, "", ()),
    Scenario(BIRTH, "Nguyễn Bảo Ngọc", ((_A.SUBMIT, "", ""),)),
    Scenario(RESIDENCE, "", ((_A.SUBMIT, "", ""),)),
    Scenario(
        BIRTH,
        "Nguyễn Gia Hân",
        (
            (_A.SUBMIT, "", ""),
            (_A.REQUEST_SUPPLEMENT, DESK, "Giấy chứng sinh chụp bị mờ, không đọc được số; đề nghị chụp lại."),
        ),
    ),
    Scenario(RESIDENCE, "", ((_A.SUBMIT, "", ""), (_A.REQUEST_PAYMENT, DESK, "Lệ phí đăng ký tạm trú."))),
    Scenario(BIRTH, "Nguyễn Thành Đạt", ((_A.SUBMIT, "", ""), (_A.RECEIVE, DESK, ""))),
    Scenario(RESIDENCE, "", ((_A.SUBMIT, "", ""), (_A.RECEIVE, DESK, ""))),
    Scenario(
        RESIDENCE,
        "",
        (
            (_A.SUBMIT, "", ""),
            (_A.RECEIVE, DESK, ""),
            (_A.SUSPEND, LEADER, "Chờ xác minh chỗ ở hợp pháp với Công an phường."),
        ),
    ),
    Scenario(BIRTH, "Nguyễn Khánh Linh", ((_A.SUBMIT, "", ""), (_A.RECEIVE, DESK, ""), *_TO_RESULT)),
    Scenario(
        BIRTH,
        "Nguyễn Đức Anh",
        ((_A.SUBMIT, "", ""), (_A.RECEIVE, DESK, ""), *_TO_RESULT, (_A.RETURN_RESULT, DESK, "")),
    ),
    Scenario(
        RESIDENCE,
        "",
        ((_A.SUBMIT, "", ""), (_A.RECEIVE, DESK, ""), *_TO_RESULT, (_A.RETURN_RESULT, DESK, "")),
    ),
    Scenario(
        RESIDENCE,
        "",
        (
            (_A.SUBMIT, "", ""),
            (_A.REFUSE, DESK, "Địa chỉ đăng ký tạm trú không thuộc địa bàn phường Thuận Hóa."),
        ),
    ),
    Scenario(BIRTH, "Nguyễn Hoài Nam", ((_A.SUBMIT, "", ""), (_A.WITHDRAW, "", "Nộp nhầm, sẽ nộp lại."))),
)


def _address(street: str) -> dict[str, Any]:
    return {"province_code": HUE, "ward_code": THUAN_HOA_WARD, "street": street}


def birth_declaration(child: str) -> dict[str, Any]:
    """A complete, valid declaration for the demo e-form "Tờ khai đăng ký khai sinh"."""
    return {
        "ho_ten_nguoi_yeu_cau": "Nguyễn Văn An",
        "noi_cu_tru_nguoi_yeu_cau": _address("25 Nguyễn Huệ"),
        "loai_giay_to_nguoi_yeu_cau": "cccd",
        "so_dinh_danh_nguoi_yeu_cau": CITIZEN,
        "ngay_cap_nguoi_yeu_cau": "2021-04-15",
        "noi_cap_nguoi_yeu_cau": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
        "ho_ten_tre": child,
        "ngay_sinh": "2026-10-05",
        "gioi_tinh": "nam",
        "dan_toc": "Kinh",
        "quoc_tich": "Việt Nam",
        "noi_sinh": _address("Bệnh viện Trung ương Huế"),
        "que_quan": "Phường Thuận Hóa, Thành phố Huế",
        "ho_ten_me": "Trần Thị Lan",
        "nam_sinh_me": 1995,
        "dan_toc_me": "Kinh",
        "quoc_tich_me": "Việt Nam",
        "noi_cu_tru_me": _address("25 Nguyễn Huệ"),
        "co_thong_tin_cha": True,
        "ho_ten_cha": "Nguyễn Văn An",
        "nam_sinh_cha": 1990,
        "dan_toc_cha": "Kinh",
        "quoc_tich_cha": "Việt Nam",
        "noi_cu_tru_cha": _address("25 Nguyễn Huệ"),
        "de_nghi_cap_ban_sao": True,
        "so_ban_sao": 1,
        "cam_doan": True,
    }


def _scan(title: str) -> SimpleUploadedFile:
    """A small real PDF standing for a scanned paper (checked by content like any upload)."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({NameObject("/Title"): TextStringObject(title)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), content_type="application/pdf")


def _photo(title: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (236, 240, 244)).save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(f"{title}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _fill(dossier: Dossier, citizen: User, scenario: Scenario) -> Dossier:
    fields: dict[str, Any] = {"owner_name": citizen.full_name or "Nguyễn Văn An", "notify_by_sms": True}
    if scenario.procedure == BIRTH:
        fields["eform_data"] = birth_declaration(scenario.child)
    dossier = dossier_update_draft(dossier=dossier, actor=citizen, **fields)
    for index, component in enumerate(dossier.procedure_version.components.all()):
        if component.is_eform or not component.required:
            continue
        upload = _photo(f"anh-chup-{index + 1}") if index % 2 else _scan(f"ban-chup-{index + 1}")
        dossier_file_add(dossier=dossier, component_id=component.pk, upload=upload, actor=citizen)
    return dossier


def _supplement_items(dossier: Dossier) -> list[dict[str, Any]]:
    wanted = [c for c in dossier.procedure_version.components.all() if c.required and not c.is_eform][:1]
    items = [{"component": c.pk, "reason": _("Bản chụp không rõ nét.")} for c in wanted]
    return items or [{"component": SUPPLEMENT_EFORM, "reason": _("Kiểm tra lại tờ khai.")}]


def load(out: TextIO) -> None:
    _load_online(out)
    _load_desk(out)


# People with no account on the portal, one at the desk, one by post: each is tied to an unverified
# account on the CCCD, which they take over by registering with it and this phone.
DESK_OWNERS = (
    (IntakeChannel.IN_PERSON, DeskOwner("Hồ Văn Tâm", "046190000654", "0905123654", street_address="3 Lê Lợi")),
    (IntakeChannel.POST, DeskOwner("Lê Thị Mai", "046190000321", "0905123321", street_address="12 Trần Hưng Đạo")),
)


def _load_desk(out: TextIO) -> None:
    """Two dossiers received at the desk of Thuận Hóa (Đăng ký tạm trú): one brought in person, one posted."""
    desk = User.objects.filter(username=DESK).first()
    agency = Agency.objects.filter(code=THUAN_HOA).first()
    procedure = Procedure.objects.filter(code=RESIDENCE).first()
    if desk is None or agency is None or procedure is None:
        return
    if Dossier.objects.filter(agency=agency).exclude(channel=IntakeChannel.ONLINE).exists():
        out.write(_("Hồ sơ tiếp nhận trực tiếp mẫu: đã có, không tạo thêm.") + "\n")
        return
    components = [c.pk for c in procedure.current_version.components.all() if c.required and not c.is_eform]
    with transaction.atomic():
        codes = [
            dossier_register_at_desk(
                officer=desk,
                procedure=procedure,
                channel=channel,
                owner=owner,
                files=[(pk, _scan(f"ban-so-hoa-{index + 1}")) for index, pk in enumerate(components)],
            ).code
            for channel, owner in DESK_OWNERS
        ]
    out.write(_("Hồ sơ tiếp nhận trực tiếp mẫu: %(codes)s.") % {"codes": ", ".join(codes)} + "\n")


def _load_online(out: TextIO) -> None:
    citizen = User.objects.filter(national_id=CITIZEN).first()
    agency = Agency.objects.filter(code=THUAN_HOA).first()
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=(BIRTH, RESIDENCE))}
    if citizen is None or agency is None or len(procedures) < 2:
        out.write(_("Hồ sơ mẫu: bỏ qua (chưa có công dân, cơ quan hoặc thủ tục mẫu).") + "\n")
        return
    existing = Dossier.objects.filter(applicant=citizen).count()
    if existing:
        out.write(_("Hồ sơ mẫu: công dân mẫu đã có %(n)s hồ sơ, không tạo thêm.") % {"n": existing} + "\n")
        return
    officers = {u.username: u for u in User.objects.filter(username__in=(DESK, SPECIALIST, HEAD, LEADER, CLERK))}
    made: dict[str, int] = {}
    with transaction.atomic():
        for scenario in SCENARIOS:
            dossier = dossier_create_draft(procedure=procedures[scenario.procedure], applicant=citizen, agency=agency)
            dossier = _fill(dossier, citizen, scenario)
            for action, username, comment in scenario.moves:
                actor = officers[username] if username else citizen
                data = {"items": _supplement_items(dossier)} if action == _A.REQUEST_SUPPLEMENT else None
                if action == _A.SIGN:
                    # The result the clerk signs with the agency's (demo) key, as in the back office.
                    result = dossier_result_upload(
                        dossier=dossier, upload=_scan(RESULTS[scenario.procedure]), actor=actor
                    )
                    data = {"document": result.pk}
                dossier = dossier_transition(
                    dossier_id=dossier.pk, action=action, actor=actor, comment=comment, data=data
                )
            label = str(DossierStatus(dossier.status).label)
            made[label] = made.get(label, 0) + 1
    summary = ", ".join(f"{label}: {count}" for label, count in made.items())
    out.write(_("Hồ sơ mẫu của công dân %(who)s: %(summary)s.") % {"who": CITIZEN, "summary": summary} + "\n")
