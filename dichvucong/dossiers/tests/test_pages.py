"""The citizen's dossier pages: folders, one dossier, downloads, delete, withdraw, print — and who may see them."""

from __future__ import annotations

import datetime as dt
import io
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.dossiers.constants import STATUS_FOLDER, CitizenFolder, DossierAction, DossierStatus, ResultDelivery
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.services import (
    ACTOR_OFFICER,
    TRANSITIONS,
    dossier_create_draft,
    dossier_file_add,
    dossier_file_remove,
    dossier_file_reuse,
    dossier_transition,
    dossier_update_draft,
)
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer
from dichvucong.dossiers.tests.samples import as_upload, jpeg_bytes, pdf_bytes, signed_pdf_bytes

pytestmark = pytest.mark.django_db

HANOI = dt.timezone(dt.timedelta(hours=7))
HUE, AN_CUU, KIM_LONG = 46, 19815, 19810
EFORM = {
    "version": 1,
    "title": "Tờ khai đề nghị cấp bản sao trích lục",
    "sections": [
        {
            "title": "Người yêu cầu",
            "fields": [
                {"name": "ho_ten", "type": "text", "label": "Họ và tên người yêu cầu", "required": True},
                {"name": "so_ban_sao", "type": "number", "label": "Số bản sao", "min": 1, "max": 10},
            ],
        }
    ],
}
COMPONENTS = [
    {"name": "Tờ khai đề nghị cấp bản sao", "required": False},
    {"name": "Giấy khai sinh", "required": False, "document_type": "giay_khai_sinh"},
    {"name": "Giấy tờ khác", "required": False},
]
OWNER = {
    "owner_name": "Nguyễn Văn An",
    "owner_national_id": "046090000123",
    "owner_phone": "+84912345678",
    "owner_email": "an.nguyen@example.invalid",
    "owner_province_code": HUE,
    "owner_ward_code": AN_CUU,
    "owner_street_address": "12 Lê Lợi",
    "eform_data": {"ho_ten": "Nguyễn Văn An", "so_ban_sao": 2},
}
_COMMENTS = {
    DossierAction.REFUSE: "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    DossierAction.REQUEST_SUPPLEMENT: "Đề nghị bổ sung bản chụp rõ nét.",
    DossierAction.SUSPEND: "Chờ kết quả xác minh.",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def copy_procedure(agency):
    return make_procedure(
        f"9.{agency.pk:06d}",
        "Cấp bản sao trích lục hộ tịch",
        agencies=[agency.code],
        components=COMPONENTS,
        eform=EFORM,
    )


def new_draft(applicant, agency, **fields) -> Dossier:
    dossier = dossier_create_draft(procedure=copy_procedure(agency), applicant=applicant)
    return dossier_update_draft(dossier=dossier, actor=applicant, **{**OWNER, **fields})


def component(dossier: Dossier, index: int):
    return list(dossier.procedure_version.components.all())[index]


def attach(dossier: Dossier, index: int, data: bytes, name: str) -> DossierFile:
    return dossier_file_add(
        dossier=dossier,
        component_id=component(dossier, index).pk,
        upload=as_upload(data, name),
        actor=dossier.applicant,
    )


def move(dossier: Dossier, action: str, *, data=None, comment: str | None = None) -> Dossier:
    officer = TRANSITIONS[action].actor == ACTOR_OFFICER
    return dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=desk_officer(dossier.agency) if officer else dossier.applicant,
        comment=_COMMENTS.get(action, "") if comment is None else comment,
        data=data,
    )


def ask_supplement(dossier: Dossier, *, index: int = 1, eform: bool = False) -> Dossier:
    items = [{"component": component(dossier, index).pk, "reason": "Bản chụp không rõ nét, đề nghị chụp lại."}]
    if eform:
        items.append({"component": "eform", "reason": "Số bản sao chưa đúng."})
    return move(dossier, DossierAction.REQUEST_SUPPLEMENT, data={"items": items})


def url(name: str, dossier: Dossier) -> str:
    return reverse(f"dossiers:{name}", kwargs={"ref": dossier.code or str(dossier.pk)})


def page_text(response) -> str:
    """The page's text without tags, whitespace collapsed: what a person reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


@pytest.fixture
def citizen_client(client, personas):
    client.force_login(personas.citizen)
    return client


# --- Hồ sơ của tôi --------------------------------------------------------------------------------
def test_folders_show_the_eight_folders_with_counts_and_the_drafts_with_their_actions(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    DossierFactory(applicant=personas.other_citizen, agency=personas.agency_a)  # never counted here

    response = citizen_client.get(reverse("dossiers:folders"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Hồ sơ của tôi" in text
    for folder in CitizenFolder:
        assert str(folder.label) in text
    assert re.search(r"Hồ sơ chưa gửi 1 hồ sơ", text)
    assert re.search(r"Hồ sơ đã gửi 1 hồ sơ", text)
    assert re.search(r"Hồ sơ bị trả lại 0 hồ sơ", text)
    html = response.content.decode()
    assert 'href="?thu-muc=chua-gui" aria-current="page"' in html  # drafts first when there are some
    for name in ("review", "edit", "detail", "delete"):
        assert f'href="{url(name, draft)}"' in html
    assert "Gửi hồ sơ" in text
    assert "Sửa hồ sơ" in text
    assert "Xem hồ sơ" in text
    assert "Xóa" in text
    assert "Mã hồ sơ: — chưa có" in text
    assert "Chưa gửi" in text
    assert "Cấp bản sao trích lục hộ tịch" in text
    assert draft.procedure_version.procedure.code in text
    assert personas.agency_a.name in text
    assert sent.code not in text  # another folder
    assert f'href="{reverse("catalog:search")}"' in html
    assert "Nộp hồ sơ mới" in text


def test_the_sent_folder_lists_dates_status_and_the_history_link(citizen_client, personas):
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 30, tzinfo=HANOI), tick=False):
        sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HANOI), tick=False):
        received = move(
            move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT), DossierAction.RECEIVE
        )

    text = page_text(citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "da-gui"}))
    assert sent.code in text
    assert "Ngày gửi 08:30 02/03/2026" in text
    assert "Đã gửi" in text
    assert received.code not in text

    response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "dang-xu-ly"})
    text = page_text(response)
    assert received.code in text
    assert "Ngày tiếp nhận 09:00 02/03/2026" in text
    assert f"Ngày hẹn trả {received.appointment_at.astimezone(HANOI):%H:%M %d/%m/%Y}" in text
    assert "Đang xử lý" in text
    assert f'href="{url("detail", received)}#qua-trinh"' in response.content.decode()
    assert "Xem quá trình xử lý hồ sơ" in text


def test_the_supplement_and_refused_folders_show_the_officers_words(citizen_client, personas):
    asked = ask_supplement(move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT))
    refused = move(move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT), DossierAction.REFUSE)

    response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "yeu-cau-bo-sung"})
    text = page_text(response)
    assert asked.code in text
    assert "Nội dung yêu cầu bổ sung: Giấy khai sinh: Bản chụp không rõ nét, đề nghị chụp lại." in text
    assert "Ý kiến cán bộ: Đề nghị bổ sung bản chụp rõ nét." in text
    assert f'href="{url("supplement", asked)}"' in response.content.decode()
    assert "Bổ sung hồ sơ" in text

    text = page_text(citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "bi-tra-lai"}))
    assert refused.code in text
    assert "Ý kiến cán bộ tiếp nhận: Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan." in text
    assert "Bị trả lại" in text


def test_a_pending_withdrawal_request_reads_as_such_in_the_list(citizen_client, personas):
    received = move(move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT), DossierAction.RECEIVE)
    move(received, DossierAction.REQUEST_WITHDRAWAL, comment="Tôi nộp nhầm thủ tục.")
    text = page_text(citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "dang-xu-ly"}))
    assert "Đang đề nghị rút" in text


def test_a_card_shows_hostile_words_as_text(citizen_client, personas):
    """The cards are drawn in Python (dossiers/presentation.py): every value is escaped there."""
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    items = [{"component": component(sent, 1).pk, "reason": "<img src=x onerror=alert(1)>"}]
    move(sent, DossierAction.REQUEST_SUPPLEMENT, data={"items": items}, comment='<script>alert("x")</script>')
    sent.procedure_version.__class__.objects.filter(pk=sent.procedure_version_id).update(name="Thủ tục <b>đậm</b>")

    html = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "yeu-cau-bo-sung"}).content.decode()

    for raw in ("<script>alert", "<img src=x", "<b>đậm"):
        assert raw not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert ": &lt;img src=x onerror=alert(1)&gt;</li>" in html
    assert f'<a href="{url("detail", sent)}">Thủ tục &lt;b&gt;đậm&lt;/b&gt;</a>' in html


@pytest.mark.parametrize("value", ["", "khong-co", "<script>", "chua-gui'--", "x" * 500])
def test_an_unknown_folder_falls_back_to_the_default(citizen_client, personas, value):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": value})
    assert response.status_code == 200
    # No draft: the first folder with dossiers is shown.
    assert 'href="?thu-muc=da-gui" aria-current="page"' in response.content.decode()
    assert sent.code in page_text(response)


def test_with_no_dossier_at_all_the_drafts_folder_says_so(citizen_client):
    response = citizen_client.get(reverse("dossiers:folders"))
    assert response.status_code == 200
    assert 'href="?thu-muc=chua-gui" aria-current="page"' in response.content.decode()
    assert "Không có hồ sơ nào trong mục này." in page_text(response)


@pytest.mark.parametrize(
    ("page", "expected"), [("2", "Trang 2/2"), ("9", "Trang 2/2"), ("abc", "Trang 1/2"), ("-1", "Trang 2/2")]
)
def test_folders_are_paginated_by_20_and_bad_page_numbers_fall_back(citizen_client, personas, page, expected):
    procedure = copy_procedure(personas.agency_a)
    for _ in range(25):
        dossier_create_draft(procedure=procedure, applicant=personas.citizen)
    response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": "chua-gui", "trang": page})
    assert response.status_code == 200
    text = page_text(response)
    assert expected in text
    shown = len(re.findall(r'class="dossier-card"', response.content.decode()))
    assert shown == (5 if expected == "Trang 2/2" else 20)
    if expected == "Trang 1/2":
        assert 'href="?thu-muc=chua-gui&amp;trang=2"' in response.content.decode()


def _fill(personas, drafts: int) -> None:
    """`drafts` drafts (made fast through the service, one by one: each gets its own number), and a
    few dossiers in other folders made through the factory with their full history."""
    procedure = copy_procedure(personas.agency_a)
    for _ in range(drafts):
        dossier_create_draft(procedure=procedure, applicant=personas.citizen)
    for trait in ("submitted", "submitted", "supplement_requested", "refused", "received"):
        DossierFactory(applicant=personas.citizen, agency=personas.agency_a, **{trait: True})


# Queries of one folder page: session, user with the bell's unread count (header), folder counts, the
# page's keys, then those dossiers with procedure and agency (joined; core.pagination) — and in the
# two folders that show the officers' words, one more for those events. Measured: the same for 5
# and for 500 drafts.
FOLDER_QUERIES = {"chua-gui": 5, "da-gui": 5, "yeu-cau-bo-sung": 6, "bi-tra-lai": 6}


@pytest.mark.parametrize("drafts", [5, 500])
def test_a_folder_page_costs_the_same_queries_for_5_and_500_dossiers(
    citizen_client, personas, django_assert_num_queries, drafts
):
    _fill(personas, drafts)
    for folder, queries in FOLDER_QUERIES.items():
        with django_assert_num_queries(queries):
            response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": folder})
        assert response.status_code == 200
    html = citizen_client.get(reverse("dossiers:folders")).content.decode()
    assert html.count('class="dossier-card"') == min(drafts, 20)


@pytest.mark.parametrize(
    "trait",
    ["withdrawn_draft", "withdrawn", "payment_requested", "suspended", "result_ready", "returned"],
)
def test_every_state_is_listed_in_its_folder_and_has_a_page(citizen_client, personas, trait):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, **{trait: True})
    label = str(DossierStatus(dossier.status).label)

    response = citizen_client.get(reverse("dossiers:folders"), {"thu-muc": STATUS_FOLDER[dossier.status]})
    assert f'href="{url("detail", dossier)}"' in response.content.decode()
    assert label in page_text(response)

    response = citizen_client.get(url("detail", dossier))
    assert response.status_code == 200
    assert f"Trạng thái: {label}" in page_text(response)


# --- One dossier ----------------------------------------------------------------------------------
def test_a_draft_shows_its_data_files_declaration_and_actions(citizen_client, personas):
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 15, tzinfo=HANOI), tick=False):
        draft = new_draft(
            personas.citizen,
            personas.agency_a,
            result_delivery=ResultDelivery.BY_POST,
            post_recipient_name="Trần Thị Lan",
            post_recipient_phone="+84935111222",
            post_province_code=HUE,
            post_ward_code=KIM_LONG,
            post_street_address="25 Nguyễn Huệ",
            notify_by_sms=False,
        )
    attach(draft, 0, signed_pdf_bytes(), "Tờ khai đã ký.pdf")
    attach(draft, 1, jpeg_bytes(), "giấy khai sinh.jpeg")

    response = citizen_client.get(url("detail", draft))

    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    assert "Cấp bản sao trích lục hộ tịch" in text
    assert "Mã hồ sơ: — (mã hồ sơ được cấp khi gửi)" in text
    assert "Trạng thái: Chưa gửi" in text
    assert f'href="{reverse("catalog:detail", args=[draft.procedure_version.procedure.code])}"' in html
    assert personas.agency_a.name in text
    assert "Ngày tạo 08:15 02/03/2026" in text
    # Thông tin chung
    for value in ("Nguyễn Văn An", "046090000123", "0912345678", "an.nguyen@example.invalid"):
        assert value in text
    assert "12 Lê Lợi, Phường An Cựu, Thành phố Huế" in text
    # Hình thức nhận kết quả, SMS
    assert "Nhận qua bưu điện" in text
    assert "Trần Thị Lan" in text
    assert "25 Nguyễn Huệ, Phường Kim Long, Thành phố Huế" in text
    assert "Thông báo qua SMS Không" in text
    # Thành phần hồ sơ
    files = {f.name: f for f in DossierFile.objects.filter(dossier=draft)}
    assert set(files) == {"Tờ khai đã ký.pdf", "giấy khai sinh.jpg"}
    for record in files.values():
        assert f'href="{reverse("dossiers:file", args=[record.pk])}"' in html
    assert "Tờ khai đã ký.pdf PDF ·" in text
    assert "Có chữ ký số" in text
    assert "giấy khai sinh.jpg JPG ·" in text
    assert "3. Giấy tờ khác (nếu có) Chưa đính kèm" in text
    # Tờ khai
    assert "Tờ khai Người yêu cầu Họ và tên người yêu cầu Nguyễn Văn An Số bản sao 2" in text
    # Actions of a draft; nothing to look up yet
    for name in ("edit", "review", "delete", "print", "withdraw"):
        assert f'href="{url(name, draft)}"' in html
    assert "/tra-cuu/" not in html.split('id="noi-dung"')[1].split("site-footer")[0]
    assert "Hồ sơ chưa gửi nên chưa có quá trình xử lý." in text


def test_the_history_shows_times_actors_and_officers_comments(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    officer = desk_officer(personas.agency_a)
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 30, tzinfo=HANOI), tick=False):
        sent = move(draft, DossierAction.SUBMIT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 5, tzinfo=HANOI), tick=False):
        move(sent, DossierAction.REFUSE)

    response = citizen_client.get(url("detail", sent))
    text = page_text(response)
    assert response.status_code == 200
    # The refusal at the top, before anything else about the dossier.
    top = text.split("Thông tin hồ sơ")[0]
    assert "Lý do không tiếp nhận" in top
    assert "Ý kiến cán bộ tiếp nhận: Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan." in top
    history = text.split("Xem quá trình xử lý hồ sơ")[-1]
    assert "08:30 02/03/2026 · Bạn Gửi hồ sơ Chưa gửi → Đã gửi" in history
    assert (
        f"10:05 02/03/2026 · {officer.full_name} Từ chối tiếp nhận Đã gửi → Bị trả lại "
        "Ý kiến cán bộ: Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan." in history
    )
    assert 'id="qua-trinh"' in response.content.decode()
    lookup = f"{reverse('portal:lookup')}?{urlencode({'ma': sent.code})}"
    assert f'href="{lookup}"' in response.content.decode()
    assert "Rút hồ sơ" not in text  # final


def test_a_supplement_request_is_shown_with_its_items_and_the_button(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    attach(draft, 1, jpeg_bytes(), "khai-sinh.jpg")
    asked = ask_supplement(move(draft, DossierAction.SUBMIT), eform=True)

    response = citizen_client.get(url("detail", asked))
    text = page_text(response)
    assert "Nội dung yêu cầu bổ sung" in text.split("Thông tin hồ sơ")[0]
    assert "Giấy khai sinh Bản chụp không rõ nét, đề nghị chụp lại." in text
    assert "Tờ khai Số bản sao chưa đúng." in text
    assert "Ý kiến cán bộ: Đề nghị bổ sung bản chụp rõ nét." in text
    assert f'href="{url("supplement", asked)}"' in response.content.decode()
    assert "Bổ sung hồ sơ" in text


def test_after_a_supplement_both_versions_of_files_and_declaration_are_visible(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    first = attach(draft, 1, jpeg_bytes(), "khai-sinh-mo.jpg")
    asked = ask_supplement(move(draft, DossierAction.SUBMIT), eform=True)
    dossier_file_remove(dossier=asked, file_id=first.pk, actor=personas.citizen)
    second = attach(asked, 1, jpeg_bytes(80, 60), "khai-sinh-ro.jpg")
    dossier_update_draft(dossier=asked, actor=personas.citizen, eform_data={"ho_ten": "Nguyễn Văn An", "so_ban_sao": 3})
    answered = move(asked, DossierAction.SUBMIT_SUPPLEMENT)
    assert answered.status == DossierStatus.SUBMITTED

    response = citizen_client.get(url("detail", answered))
    text = page_text(response)
    html = response.content.decode()
    components = text.split("Thành phần hồ sơ")[1].split("Tờ khai Người yêu cầu")[0]
    assert "khai-sinh-ro.jpg JPG" in components
    assert "bổ sung lần 1" in components
    assert "Bản đã thay thế (lần nộp trước) khai-sinh-mo.jpg JPG" in components
    for record in (first, second):
        assert f'href="{reverse("dossiers:file", args=[record.pk])}"' in html
    history = text.split("Xem quá trình xử lý hồ sơ")[-1]
    assert "Gửi bổ sung Yêu cầu bổ sung → Đã gửi" in history
    assert "Tệp đã bổ sung: khai-sinh-ro.jpg" in history
    assert "Tờ khai đã sửa Nội dung Trước khi bổ sung Sau khi bổ sung Số bản sao 2 3" in history
    assert "Nội dung yêu cầu bổ sung: Giấy khai sinh: Bản chụp không rõ nét" in history


def _busy_dossier(personas, *, files: int, cycles: int) -> Dossier:
    """A received dossier with `files` attachments and 2 + 2 × `cycles` events (supplement rounds)."""
    draft = new_draft(personas.citizen, personas.agency_a)
    for n in range(files):
        attach(draft, n % 3, jpeg_bytes(40 + n, 30), f"tep-{n}.jpg")
    dossier = move(move(draft, DossierAction.SUBMIT), DossierAction.RECEIVE)
    for _ in range(cycles):
        dossier = move(ask_supplement(dossier, eform=True), DossierAction.SUBMIT_SUPPLEMENT)
    return dossier


# Queries of a dossier page: session, user with the bell's count (header), the dossier (joined to its
# version, procedure, agency and applicant), the components, the files, the events (which also tell
# the slips it has), its payment requests. Measured: 7 for a dossier with 2 files and 2 events and for
# one with 30 files and 30 events (8 before the bell's count came with the user).
DETAIL_QUERIES = 8  # 7, and one for "Ai đã xem hồ sơ của tôi" (the audit rows, count included)


@pytest.mark.parametrize(("files", "cycles"), [(2, 0), (30, 14)])
def test_a_dossier_page_costs_the_same_queries_for_2_and_30_events_and_files(
    citizen_client, personas, django_assert_num_queries, files, cycles
):
    dossier = _busy_dossier(personas, files=files, cycles=cycles)
    assert dossier.events.count() == 2 + 2 * cycles
    assert dossier.files.count() == files
    with django_assert_num_queries(DETAIL_QUERIES):
        response = citizen_client.get(url("detail", dossier))
    assert response.status_code == 200
    assert page_text(response).count("Gửi bổ sung") == cycles


# The officer's page of the same dossier (/mot-cua/ho-so/…/): session, user, TOTP device, officer
# profile with its roles (one query, core.permissions), the dossier (joined; whether it has documents,
# consultations, payment requests and open integrity findings asked in the same query, so those
# lists are read only when there is something; its process steps and components prefetched: 3),
# the audit row of the read, the files (also the consultation form's choice), the events (also read
# for the slips and the hand-offs), the holders of the next step (once for the two moves that hand
# off), the hand-off units, the agency's calendar rows, and the consultation form's agencies; the
# bell's count comes with the user. Measured: 14 for 2 files and 2 events and for 30 files and 30
# events (15 before the bell's count came with the user, 21 before the profile and its roles were
# read together, the form reused the page's files and the empty lists were not read; 23 before the
# slips, the hand-offs and the holders shared their reads).
OFFICER_DETAIL_QUERIES = 14


@pytest.mark.parametrize(("files", "cycles"), [(2, 0), (30, 14)])
def test_the_officer_dossier_page_costs_the_same_queries_for_2_and_30_events_and_files(
    client, personas, django_assert_num_queries, files, cycles
):
    from dichvucong.core.testing.personas import force_login_verified

    dossier = _busy_dossier(personas, files=files, cycles=cycles)
    force_login_verified(client, desk_officer(personas.agency_a))
    address = reverse("backoffice:dossier", args=[dossier.code])
    client.get(address)  # the session's first read
    with django_assert_num_queries(OFFICER_DETAIL_QUERIES):
        response = client.get(address)
    assert response.status_code == 200
    assert page_text(response).count("Gửi bổ sung") >= cycles


# --- Downloads ------------------------------------------------------------------------------------
def test_the_owner_downloads_the_exact_bytes_with_safe_headers(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    data = pdf_bytes("Giấy khai sinh")
    record = attach(draft, 1, data, "Giấy khai sinh của bé Đạt.pdf")

    response = citizen_client.get(reverse("dossiers:file", args=[record.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Giay-khai-sinh-cua-be-Dat.pdf"; '
        f"filename*=UTF-8''{quote('Giấy khai sinh của bé Đạt.pdf', safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_content_type_is_the_detected_one_not_the_browsers(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    record = dossier_file_add(
        dossier=draft,
        component_id=component(draft, 0).pk,
        upload=as_upload(jpeg_bytes(), "anh.pdf", content_type="application/pdf"),
        actor=personas.citizen,
    )
    response = citizen_client.get(reverse("dossiers:file", args=[record.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert 'filename="anh.jpg"' in response["Content-Disposition"]


def test_unknown_file_ids_and_lost_blobs_are_404(citizen_client, personas):
    assert citizen_client.get(reverse("dossiers:file", args=[999999])).status_code == 404
    record = attach(new_draft(personas.citizen, personas.agency_a), 1, jpeg_bytes(), "khai-sinh.jpg")
    default_storage.delete(record.file.name)
    assert citizen_client.get(reverse("dossiers:file", args=[record.pk])).status_code == 404


# --- Access ---------------------------------------------------------------------------------------
def _pages_of(dossier: Dossier, record: DossierFile) -> list[str]:
    return [
        url("detail", dossier),
        reverse("dossiers:file", args=[record.pk]),
        url("print", dossier),
        url("delete", dossier),
        url("withdraw", dossier),
        url("supplement", dossier),
    ]


@pytest.mark.parametrize("state", ["draft", "submitted", "supplement_requested"])
def test_another_citizen_gets_404_on_every_page_of_the_dossier(client, personas, state):
    draft = new_draft(personas.citizen, personas.agency_a)
    record = attach(draft, 1, jpeg_bytes(), "khai-sinh.jpg")
    dossier = draft
    if state != "draft":
        dossier = move(draft, DossierAction.SUBMIT)
    if state == "supplement_requested":
        dossier = ask_supplement(dossier)

    client.force_login(personas.other_citizen)
    for address in _pages_of(dossier, record):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"reason": "x", "version": dossier.version}).status_code in (404, 405), address
    dossier.refresh_from_db()
    assert dossier.status == state
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_a_dossier_number_leads_only_its_owner_to_it(citizen_client, personas):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    response = citizen_client.get(reverse("dossiers:detail", args=[str(sent.pk)]))
    assert response.status_code == 302
    assert response["Location"] == url("detail", sent)  # the code is the address to keep

    others_draft = new_draft(personas.other_citizen, personas.agency_a)
    others_sent = move(new_draft(personas.other_citizen, personas.agency_a), DossierAction.SUBMIT)
    for dossier in (others_draft, others_sent):
        for name in ("detail", "print", "delete", "withdraw"):
            address = reverse(f"dossiers:{name}", args=[str(dossier.pk)])
            assert citizen_client.get(address).status_code == 404, address


def test_a_logged_out_visitor_is_sent_to_log_in_from_every_page(client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    record = attach(draft, 1, jpeg_bytes(), "khai-sinh.jpg")
    for address in [reverse("dossiers:folders"), *_pages_of(draft, record)]:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"] == f"{settings.LOGIN_URL}?next={quote(address, safe='/')}", address
    assert client.post(url("delete", draft)).status_code == 302
    assert Dossier.objects.filter(pk=draft.pk).exists()


# --- Delete a draft -------------------------------------------------------------------------------
def test_deleting_a_draft_asks_first_then_removes_it_and_its_files(
    citizen_client, personas, django_capture_on_commit_callbacks
):
    draft = new_draft(personas.citizen, personas.agency_a)
    record = attach(draft, 1, jpeg_bytes(), "khai-sinh.jpg")
    stored = record.file.name
    assert default_storage.exists(stored)

    response = citizen_client.get(url("delete", draft))
    assert response.status_code == 200
    assert "Bạn có chắc muốn xóa hồ sơ chưa gửi này?" in page_text(response)
    assert Dossier.objects.filter(pk=draft.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(url("delete", draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dossiers:folders")
    assert "Đã xóa hồ sơ." in page_text(response)
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not default_storage.exists(stored)


def test_deleting_a_draft_keeps_a_file_another_dossier_still_uses(
    citizen_client, personas, django_capture_on_commit_callbacks
):
    earlier = new_draft(personas.citizen, personas.agency_a)
    given = attach(earlier, 1, jpeg_bytes(), "khai-sinh.jpg")
    move(move(earlier, DossierAction.SUBMIT), DossierAction.RECEIVE)  # accepted: its documents can be reused
    draft = new_draft(personas.citizen, personas.agency_a)
    reused = dossier_file_reuse(
        dossier=draft, component_id=component(draft, 1).pk, source_file_id=given.pk, actor=personas.citizen
    )
    assert reused.file.name == given.file.name

    with django_capture_on_commit_callbacks(execute=True):
        citizen_client.post(url("delete", draft))
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert default_storage.exists(given.file.name)
    response = citizen_client.get(reverse("dossiers:file", args=[given.pk]))
    assert b"".join(response.streaming_content) == jpeg_bytes()


def test_a_sent_dossier_cannot_be_deleted(citizen_client, personas):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    response = citizen_client.post(url("delete", sent), follow=True)
    assert response.redirect_chain[-1][0] == url("detail", sent)
    assert "Chỉ xóa được hồ sơ chưa gửi." in page_text(response)
    assert Dossier.objects.filter(pk=sent.pk, status=DossierStatus.SUBMITTED).exists()


# --- Withdraw -------------------------------------------------------------------------------------
def test_before_reception_withdrawing_is_immediate(citizen_client, personas):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)

    response = citizen_client.get(url("withdraw", sent))
    text = page_text(response)
    assert response.status_code == 200
    assert "Hồ sơ sẽ được rút ngay" in text
    assert "Đề nghị rút hồ sơ sẽ được gửi" not in text

    response = citizen_client.post(url("withdraw", sent), {"reason": "", "version": sent.version}, follow=True)
    assert response.redirect_chain[-1][0] == url("detail", sent)
    text = page_text(response)
    assert "Đã rút hồ sơ." in text
    assert "Trạng thái: Đã rút" in text
    sent.refresh_from_db()
    assert sent.status == DossierStatus.WITHDRAWN
    assert "Rút hồ sơ Đã gửi → Đã rút" in text.split("Xem quá trình xử lý hồ sơ")[-1]


def test_after_reception_withdrawing_is_a_request_with_a_required_reason(citizen_client, personas):
    received = move(move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT), DossierAction.RECEIVE)
    detail = page_text(citizen_client.get(url("detail", received)))
    assert "Đề nghị rút hồ sơ" in detail

    response = citizen_client.get(url("withdraw", received))
    assert "Đề nghị rút hồ sơ sẽ được gửi tới cơ quan giải quyết" in page_text(response)

    response = citizen_client.post(url("withdraw", received), {"reason": "  ", "version": received.version})
    assert response.status_code == 200
    assert "Vui lòng nhập lý do đề nghị rút hồ sơ." in page_text(response)
    received.refresh_from_db()
    assert received.withdrawal_requested_at is None

    with time_machine.travel(dt.datetime(2026, 3, 3, 14, 20, tzinfo=HANOI), tick=False):
        response = citizen_client.post(
            url("withdraw", received), {"reason": "Tôi đã nộp nhầm thủ tục.", "version": received.version}, follow=True
        )
    text = page_text(response)
    assert "Đã gửi đề nghị rút hồ sơ tới cơ quan giải quyết." in text
    assert "Đã đề nghị rút hồ sơ lúc 14:20 03/03/2026, chờ cơ quan trả lời." in text
    assert "Trạng thái: Đang đề nghị rút" in text
    assert f'href="{url("withdraw", received)}"' not in response.content.decode()
    assert "Đề nghị rút hồ sơ Trạng thái: Đang xử lý Lý do: Tôi đã nộp nhầm thủ tục." in text
    received.refresh_from_db()
    assert received.status == DossierStatus.PROCESSING
    assert received.withdrawal_requested_at is not None

    response = citizen_client.get(url("withdraw", received), follow=True)
    assert "Bạn đã đề nghị rút hồ sơ này; vui lòng chờ cơ quan trả lời." in page_text(response)


def test_a_withdrawal_on_an_out_of_date_page_is_refused_and_the_reason_kept(citizen_client, personas):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    stale_version = sent.version
    received = move(sent, DossierAction.RECEIVE)  # the officer acted while the page was open

    response = citizen_client.post(
        url("withdraw", received), {"reason": "Tôi đổi ý, không cần nữa.", "version": stale_version}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Hồ sơ đã thay đổi, vui lòng tải lại trang." in text
    assert "Tôi đổi ý, không cần nữa." in text  # what was typed is still there
    assert "Đề nghị rút hồ sơ sẽ được gửi tới cơ quan giải quyết" in text  # the page as the dossier is now
    assert f'name="version" value="{received.version}"' in response.content.decode()
    received.refresh_from_db()
    assert received.status == DossierStatus.PROCESSING
    assert received.withdrawal_requested_at is None


def test_a_reason_longer_than_2000_characters_is_refused(citizen_client, personas):
    sent = move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT)
    response = citizen_client.post(url("withdraw", sent), {"reason": "x" * 2001, "version": sent.version})
    assert response.status_code == 200
    sent.refresh_from_db()
    assert sent.status == DossierStatus.SUBMITTED


def test_a_final_dossier_offers_no_withdrawal(citizen_client, personas):
    refused = move(move(new_draft(personas.citizen, personas.agency_a), DossierAction.SUBMIT), DossierAction.REFUSE)
    response = citizen_client.get(url("withdraw", refused), follow=True)
    assert response.redirect_chain[-1][0] == url("detail", refused)
    assert "không thể rút" in page_text(response)


# --- In biểu mẫu đơn ------------------------------------------------------------------------------
def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_printed_declaration_of_a_sent_dossier_has_its_code_owner_and_answers(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    attach(draft, 1, jpeg_bytes(), "khai-sinh.jpg")
    sent = move(draft, DossierAction.SUBMIT)

    response = citizen_client.get(url("print", sent))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'inline; filename="to-khai-{sent.code}.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    text = _pdf_text(response.content)
    squeezed = "".join(text.split())
    assert "".join(sent.code.split()) in squeezed
    assert "NguyễnVănAn" in squeezed
    assert "TỜKHAIĐỀNGHỊCẤPBẢNSAOTRÍCHLỤC" in squeezed
    assert "khai-sinh.jpg" in squeezed


def test_a_draft_prints_as_a_draft(citizen_client, personas):
    draft = new_draft(personas.citizen, personas.agency_a)
    response = citizen_client.get(url("print", draft))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'inline; filename="to-khai-ban-nhap-{draft.pk}.pdf"')
    squeezed = "".join(_pdf_text(response.content).split())
    assert "BẢNNHÁP" in squeezed
    assert "NguyễnVănAn" in squeezed


# --- In the browser -------------------------------------------------------------------------------
def _log_in(page, user) -> None:
    from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("textbox", name="Tài khoản").fill(user.username)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda address: "/dang-nhap/" not in address)


@pytest.fixture
def citizen_with_dossiers(personas):
    """Nguyễn Văn An with dossiers in six folders; returns the one with the richest page."""
    from dichvucong.notifications.services import notification_templates_reset

    notification_templates_reset()  # a transactional test starts from an emptied database
    citizen, agency = personas.citizen, personas.agency_a
    draft = new_draft(citizen, agency)
    attach(draft, 0, pdf_bytes(), "Tờ khai đề nghị.pdf")
    new_draft(citizen, agency)
    move(new_draft(citizen, agency), DossierAction.SUBMIT)
    move(move(new_draft(citizen, agency), DossierAction.SUBMIT), DossierAction.REFUSE)
    ask_supplement(move(new_draft(citizen, agency), DossierAction.SUBMIT))
    rich = new_draft(
        citizen,
        agency,
        result_delivery=ResultDelivery.BY_POST,
        post_recipient_name="Trần Thị Lan",
        post_province_code=HUE,
        post_ward_code=KIM_LONG,
        post_street_address="25 Nguyễn Huệ",
    )
    # pyHanko signs through asyncio.run(), which cannot run in the thread Playwright's loop runs in.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(signed_pdf_bytes).result()
    attach(rich, 0, signed, "Tờ khai đề nghị cấp bản sao trích lục (đã ký số).pdf")
    first = attach(rich, 1, jpeg_bytes(), "giay-khai-sinh.jpg")
    rich = ask_supplement(move(move(rich, DossierAction.SUBMIT), DossierAction.RECEIVE), eform=True)
    dossier_file_remove(dossier=rich, file_id=first.pk, actor=citizen)
    attach(rich, 1, jpeg_bytes(120, 90), "giay-khai-sinh-ban-ro.jpg")
    dossier_update_draft(dossier=rich, actor=citizen, eform_data={"ho_ten": "Nguyễn Văn An", "so_ban_sao": 3})
    return move(rich, DossierAction.SUBMIT_SUPPLEMENT)


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_my_dossiers_in_the_browser_at_desktop_and_360_px(page, mobile_page, citizen_with_dossiers, screenshot):
    from playwright.sync_api import expect

    rich = citizen_with_dossiers
    citizen = rich.applicant
    _log_in(page, citizen)
    page.goto("/ho-so/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    folders = page.get_by_role("navigation", name="Thư mục hồ sơ")
    expect(folders.get_by_role("link", name="Hồ sơ chưa gửi")).to_have_attribute("aria-current", "page")
    expect(page.locator(".dossier-card")).to_have_count(2)
    screenshot(page, "folders-desktop")

    folders.get_by_role("link", name="Hồ sơ đang xử lý").click()
    card = page.locator(".dossier-card", has_text=rich.code)
    expect(card).to_be_visible()
    card.get_by_role("link", name="Xem quá trình xử lý hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp bản sao trích lục hộ tịch")
    expect(page.get_by_role("heading", name="Bản đã thay thế (lần nộp trước)")).to_be_visible()
    expect(page.get_by_role("row", name="Số bản sao 2 3")).to_be_visible()
    screenshot(page, "detail-desktop")

    folders_url = "/ho-so/?thu-muc=bi-tra-lai"
    page.goto(folders_url)
    expect(page.get_by_text("Ý kiến cán bộ tiếp nhận:")).to_be_visible()
    page.locator(".dossier-card").get_by_role("link", name="Xem hồ sơ").click()
    expect(page.get_by_role("heading", name="Lý do không tiếp nhận")).to_be_visible()
    screenshot(page, "refused-desktop")

    _log_in(mobile_page, citizen)
    mobile_page.goto("/ho-so/")
    _no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "folders-360")
    mobile_page.goto(url("detail", rich))
    _no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "detail-360")
    mobile_page.goto("/ho-so/?thu-muc=yeu-cau-bo-sung")
    _no_sideways_scroll(mobile_page)
    screenshot(mobile_page, "supplement-folder-360")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_my_dossiers_pages_have_no_serious_accessibility_violation(axe_page, citizen_with_dossiers):
    from dichvucong.core.testing.browser import axe_violations

    rich = citizen_with_dossiers
    _log_in(axe_page, rich.applicant)
    for address in (
        "/ho-so/",
        "/ho-so/?thu-muc=yeu-cau-bo-sung",
        "/ho-so/?thu-muc=bi-tra-lai",
        url("detail", rich),
        url("withdraw", rich),
        url("delete", Dossier.objects.filter(applicant=rich.applicant, status=DossierStatus.DRAFT).first()),
    ):
        axe_page.goto(address)
        assert axe_violations(axe_page) == [], address
