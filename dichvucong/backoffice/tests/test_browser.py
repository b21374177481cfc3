"""The whole loop of issue 6 in Debian's Chromium, with the demo accounts (officers log in with TOTP).

A citizen sends a dossier; the one-stop desk receives it; the specialist asks for a supplement; the
citizen answers with Gửi bổ sung; the specialist forwards; the head sends it back once, then
approves; the leader approves; the clerk signs the result; the desk returns it online; the citizen
downloads the signed result and finds the dossier under Hồ sơ đã trả kết quả with its history.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from dichvucong.accounts.demo import DEMO_PASSWORD
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.tests import samples

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN = "046090001234"
DESK, SPECIALIST, HEAD, LEADER, CLERK = (
    "motcua.thuanhoa",
    "chuyenvien.thuanhoa",
    "truongphong.thuanhoa",
    "chutich.thuanhoa",
    "vanthu.thuanhoa",
)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # the demo command refuses to run otherwise (published passwords)
    call_command("demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.fixture
def people(browser, live_server, demo):
    """One logged-in browser per person, as on six desks."""
    contexts = []

    def open_for(username: str):
        context = browser.new_context(
            base_url=live_server.url,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/tai-khoan/dang-nhap/")
        page.get_by_role("textbox", name="Tài khoản").fill(username)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is not None:  # officers confirm the code of their authenticator app
            page.get_by_role("textbox").first.fill(f"{totp(device.bin_key):06d}")
            page.get_by_role("button").filter(has_text=re.compile("Xác nhận|Xác thực")).first.click()
        page.wait_for_url(lambda address: "/dang-nhap/" not in address and "xac-thuc-hai-lop" not in address)
        return page

    yield open_for
    for context in contexts:
        context.close()


def open_dossier(page, code: str, queue: str):
    from playwright.sync_api import expect

    page.goto(f"/mot-cua/?hang-doi={queue}")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


def make_move(page, label: str, *, comment: str = "", assignee: str = "", **extra) -> None:
    from playwright.sync_api import expect

    page.locator("summary", has_text=label).first.click()
    form = page.locator("details[open] form")
    if assignee:
        form.get_by_label("Chuyển cho cán bộ").select_option(label=assignee)
    for field, value in extra.items():
        value(form) if callable(value) else form.get_by_label(field).fill(value)
    if comment:
        form.locator("textarea").last.fill(comment)
    form.get_by_role("button", name=re.compile("^Xác nhận")).click()
    expect(page.get_by_text(f"Đã thực hiện: {label}.")).to_be_visible()


def test_the_whole_loop_with_the_demo_accounts(people, screenshot):
    from playwright.sync_api import expect

    # The citizen sends the demo draft about Nguyễn Minh Khang.
    citizen = people(CITIZEN)
    citizen.goto("/ho-so/?thu-muc=chua-gui")
    card = citizen.locator(".dossier-card", has_text="Đăng ký khai sinh").first
    card.get_by_role("link", name="Gửi hồ sơ").click()
    citizen.get_by_label("Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên.").check()
    citizen.get_by_label("Mã xác nhận").fill("PASSED")
    citizen.get_by_role("button", name="Gửi hồ sơ").click()
    code = citizen.locator("[data-dossier-code]").inner_text().strip()

    # The one-stop desk receives it and hands it to the specialist.
    desk = people(DESK)
    desk.goto("/mot-cua/")
    row = desk.locator("tr", has_text=code)
    expect(row.locator(".countdown")).to_contain_text("Còn")
    screenshot(desk, "queue-cho-tiep-nhan")
    open_dossier(desk, code, "cho-tiep-nhan")
    make_move(desk, "Tiếp nhận hồ sơ", assignee="Võ Văn Tài", comment="Hồ sơ đầy đủ.")
    expect(desk.locator("#xu-ly").locator("..").get_by_text("Ngày hẹn trả")).to_be_visible()
    # The receipt and appointment slip, with the appointment date written on it.
    slip = desk.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    receipt = desk.request.get(slip.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    # Whitespace normalised: where the PDF's lines wrap ("ngày 04 tháng" / "12") depends on the time of day.
    slip_text = " ".join(
        " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(receipt.body())).pages).split()
    )
    appointment = Dossier.objects.get(code=code).appointment_at.astimezone(HCM)
    assert (
        appointment.strftime("%d/%m/%Y") in slip_text
        or f"{appointment.day:02d} tháng {appointment.month:02d}" in slip_text
    )
    assert code in slip_text

    # The specialist asks for a supplement.
    specialist = people(SPECIALIST)
    specialist.goto("/mot-cua/?hang-doi=viec-cua-toi")
    expect(specialist.locator("tr", has_text=code)).to_be_visible()
    open_dossier(specialist, code, "viec-cua-toi")
    make_move(
        specialist,
        "Yêu cầu bổ sung hồ sơ",
        comment="Đề nghị chụp lại giấy chứng sinh.",
        **{
            "items": lambda form: form.get_by_label(re.compile("Giấy chứng sinh")).check(),
            "Lý do, yêu cầu cụ thể": "Ảnh chụp mờ, không đọc được số.",
        },
    )

    # The citizen answers with Gửi bổ sung.
    citizen.goto(f"/ho-so/{code}/")
    expect(citizen.get_by_role("heading", name="Nội dung yêu cầu bổ sung")).to_be_visible()
    citizen.get_by_role("link", name="Bổ sung hồ sơ").click()
    upload = citizen.locator("input[type=file]").first
    upload.set_input_files(
        files=[{"name": "giay-chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": samples.pdf_bytes()}]
    )
    expect(citizen.locator(".file-list").first).to_contain_text("giay-chung-sinh-ro.pdf")
    citizen.get_by_role("button", name="Gửi bổ sung").click()
    expect(citizen.get_by_text("Đang xử lý").first).to_be_visible()

    # Specialist forwards; the head sends it back once, then approves; the leader approves.
    open_dossier(specialist, code, "viec-cua-toi")
    make_move(specialist, "Chuyển bước tiếp", assignee="Ngô Thị Kim Liên", comment="Trình lãnh đạo phòng.")
    head = people(HEAD)
    open_dossier(head, code, "viec-cua-toi")
    screenshot(head, "dossier-head")
    make_move(head, "Trả lại bước trước", comment="Bổ sung ý kiến thẩm định về nơi sinh.")
    open_dossier(specialist, code, "viec-cua-toi")
    make_move(specialist, "Chuyển bước tiếp", assignee="Ngô Thị Kim Liên", comment="Đã bổ sung ý kiến.")
    open_dossier(head, code, "viec-cua-toi")
    make_move(head, "Chuyển bước tiếp", comment="Trình Chủ tịch.")
    leader = people(LEADER)
    open_dossier(leader, code, "viec-cua-toi")
    make_move(leader, "Chuyển bước tiếp", comment="Đồng ý.")

    # The clerk signs the result.
    clerk = people(CLERK)
    open_dossier(clerk, code, "viec-cua-toi")
    make_move(
        clerk,
        "Ký số kết quả",
        **{
            "result": lambda form: form.locator("input[type=file]").set_input_files(
                files=[
                    {
                        "name": "trich-luc-khai-sinh.pdf",
                        "mimeType": "application/pdf",
                        "buffer": samples.pdf_bytes("Trích lục khai sinh"),
                    }
                ]
            )
        },
    )
    expect(clerk.get_by_text("ký số bởi Huỳnh Thị Thanh Thủy")).to_be_visible()

    # The desk returns it online.
    desk.goto("/mot-cua/?hang-doi=cho-tra-ket-qua")
    open_dossier(desk, code, "cho-tra-ket-qua")
    make_move(desk, "Trả kết quả", comment="Trả kết quả trực tuyến.")
    expect(desk.locator("#xu-ly").locator("..")).to_contain_text(re.compile("Trước hạn|Đúng hạn"))
    screenshot(desk, "dossier-returned")
    expect(desk.get_by_role("heading", name="Phiếu kiểm soát quá trình giải quyết hồ sơ")).to_be_visible()
    expect(desk.locator("#kiem-soat").locator("..").locator("tbody tr")).to_have_count(8)

    # The citizen downloads the signed result and sees the whole history.
    citizen.goto("/ho-so/?thu-muc=da-tra-ket-qua")
    citizen.locator(".dossier-card", has_text=code).get_by_role("link").first.click()
    expect(citizen.get_by_role("heading", name="Kết quả giải quyết")).to_be_visible()
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="trich-luc-khai-sinh.pdf").click()
    content = Path(download.value.path()).read_bytes()
    from dichvucong.documents.signing import verify_pdf

    report = verify_pdf(content)[0]
    assert report.intact
    assert report.valid
    assert report.trusted
    timeline = citizen.locator("#qua-trinh")
    for label in (
        "Gửi hồ sơ",
        "Tiếp nhận hồ sơ",
        "Yêu cầu bổ sung hồ sơ",
        "Gửi bổ sung",
        "Trả lại bước trước",
        "Ký số kết quả",
        "Trả kết quả",
    ):
        expect(timeline.get_by_text(label, exact=True).first).to_be_visible()
    screenshot(citizen, "citizen-returned")
    assert Dossier.objects.get(code=code).status == DossierStatus.RETURNED
