"""The officers' site over HTTP: who may enter, queues, the moves on a dossier, files, stale pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.testing.personas import force_login_verified, make_officer
from dichvucong.dossiers.constants import DossierAction as A
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, procedure_for
from dichvucong.dossiers.tests.test_form import draft_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(personas):
    return make_officer(
        UserFactory(officer=True, username="motcua.a", full_name="Đặng Thị Mai"),
        personas.agency_a,
        OfficerRole.ONE_STOP,
    )


@pytest.fixture
def head(personas):
    return make_officer(
        UserFactory(officer=True, username="truongphong.a", full_name="Ngô Văn Hải"),
        personas.agency_a,
        OfficerRole.HEAD_OF_DEPARTMENT,
    )


@pytest.fixture
def sent(personas, birth_procedure):
    dossier = draft_with_files(personas, birth_procedure)
    return dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)


def act(client, dossier, action, **fields):
    data = {f"{action}-version": str(Dossier.objects.get(pk=dossier.pk).version)}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(reverse("backoffice:act", args=[dossier.code, action]), data)


def test_only_officers_enter_the_back_office(client, personas):
    response = client.get("/mot-cua/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]
    client.force_login(personas.citizen)
    response = client.get("/mot-cua/")
    assert response.status_code == 403


def test_the_desk_sees_the_new_dossier_with_its_acceptance_countdown_and_receives_it(client, desk, sent, personas):
    force_login_verified(client, desk)
    page = client.get("/mot-cua/").content.decode()
    assert "Chờ tiếp nhận" in page
    assert sent.code in page
    assert "Còn 8 giờ làm việc" in page or "Còn 7" in page or "Quá hạn" not in page
    detail = client.get(reverse("backoffice:dossier", args=[sent.code])).content.decode()
    for label in ("Tiếp nhận hồ sơ", "Yêu cầu bổ sung hồ sơ", "Yêu cầu thanh toán phí, lệ phí", "Từ chối tiếp nhận"):
        assert label in detail
    assert "Hạn tiếp nhận" in detail
    response = act(client, sent, A.RECEIVE, assignee=personas.officer_a.pk, comment="Hồ sơ đầy đủ.")
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=sent.pk)
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.assignee == personas.officer_a
    assert dossier.appointment_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện: Tiếp nhận hồ sơ." in page
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ" in page


def test_a_refusal_without_a_reason_is_refused_and_nothing_changes(client, desk, sent):
    force_login_verified(client, desk)
    response = act(client, sent, A.REFUSE, comment="   ")
    assert response.status_code == 400
    assert "Vui lòng nhập lý do." in response.content.decode()
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.SUBMITTED


def test_a_supplement_request_names_components_and_a_reason(client, desk, sent):
    force_login_verified(client, desk)
    response = act(client, sent, A.REQUEST_SUPPLEMENT, comment="Chụp lại rõ nét.")
    assert response.status_code == 400
    assert "Vui lòng chọn ít nhất một thành phần cần bổ sung." in response.content.decode()
    first = sent.procedure_version.components.first()
    response = act(client, sent, A.REQUEST_SUPPLEMENT, items=[str(first.pk)], reason="Ảnh mờ", comment="Chụp lại.")
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=sent.pk)
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    event = dossier.events.order_by("-sequence").first()
    assert event.data["items"][0]["reason"] == "Ảnh mờ"


def test_a_specialist_is_not_offered_and_cannot_make_the_heads_move(client, desk, head, sent, personas):
    specialist = personas.officer_a
    dossier = dossier_transition(dossier_id=sent.pk, action=A.RECEIVE, actor=desk)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.FORWARD, actor=specialist)
    force_login_verified(client, specialist)
    page = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert "Bạn không có thao tác nào với hồ sơ này ở bước hiện tại." in page
    response = act(client, dossier, A.FORWARD, comment="Trình ký")
    assert response.status_code == 400
    assert "Bạn không có quyền thực hiện thao tác này với hồ sơ." in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).step_order == 2
    force_login_verified(client, head)
    assert act(client, dossier, A.FORWARD, comment="Trình ký").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).step_order == 3


def test_two_officers_on_the_same_page_one_succeeds_the_other_is_told_to_reload(client, desk, sent):
    force_login_verified(client, desk)
    version = str(sent.version)
    first = client.post(
        reverse("backoffice:act", args=[sent.code, A.RECEIVE]), {"receive-version": version, "receive-comment": ""}
    )
    assert first.status_code == 302
    second = client.post(
        reverse("backoffice:act", args=[sent.code, A.REFUSE]),
        {"refuse-version": version, "refuse-comment": "Không thuộc thẩm quyền."},
        follow=True,
    )
    assert "Hồ sơ đã thay đổi, vui lòng tải lại trang." in second.content.decode()
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.PROCESSING


def test_an_officer_of_another_agency_gets_404_on_the_dossier_its_files_and_its_moves(client, sent, personas):
    force_login_verified(client, personas.officer_b)
    assert client.get(reverse("backoffice:dossier", args=[sent.code])).status_code == 404
    file = DossierFile.objects.filter(dossier=sent).first()
    assert client.get(reverse("backoffice:file", args=[file.pk])).status_code == 404
    assert act(client, sent, A.RECEIVE).status_code == 404
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.SUBMITTED
    # … and the dossier is not in its queues.
    assert sent.code not in client.get("/mot-cua/?hang-doi=tat-ca").content.decode()


def test_the_agencys_officers_download_the_citizens_files(client, sent, personas):
    force_login_verified(client, personas.officer_a)
    file = DossierFile.objects.filter(dossier=sent).first()
    response = client.get(reverse("backoffice:file", args=[file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == file.content_type
    assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")


def test_a_draft_is_invisible_to_officers(client, personas, birth_procedure):
    draft = draft_with_files(personas, birth_procedure)
    force_login_verified(client, personas.officer_a)
    file = DossierFile.objects.filter(dossier=draft).first()
    assert client.get(reverse("backoffice:file", args=[file.pk])).status_code == 404


def test_all_dossiers_filters_never_fail_on_bad_input(client, sent, personas):
    force_login_verified(client, personas.officer_a)
    for query in (
        "?hang-doi=tat-ca&ma=H57",
        "?hang-doi=tat-ca&tu-ngay=khong-phai-ngay&trang-thai=<script>",
        "?hang-doi=khong-co&trang=-5",
        "?hang-doi=tat-ca&nguoi-nop=" + "A" * 5000,
    ):
        assert client.get("/mot-cua/" + query).status_code == 200, query
    page = client.get(f"/mot-cua/?hang-doi=tat-ca&ma={sent.code[-6:]}").content.decode()
    assert sent.code in page
    page = client.get("/mot-cua/?hang-doi=tat-ca&trang-thai=returned").content.decode()
    assert sent.code not in page


@pytest.mark.parametrize("count", [5, 40])
def test_queue_pages_take_the_same_number_of_queries_whatever_the_number_of_dossiers(
    client, personas, django_assert_num_queries, count
):
    procedure = procedure_for(personas.agency_a)
    for _ in range(count):
        DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, submitted=True)
    for _ in range(3):
        DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, received=True)
    officer = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.ONE_STOP, OfficerRole.SPECIALIST)
    force_login_verified(client, officer)
    client.get("/mot-cua/")  # warm the session and the calendar rows' cache of this agency
    for queue in ("cho-tiep-nhan", "viec-cua-toi", "tat-ca"):
        with django_assert_num_queries(QUEUE_QUERIES):
            assert client.get(f"/mot-cua/?hang-doi={queue}").status_code == 200


# Session, user with the bell's unread count, TOTP device, officer profile with its roles (one
# query), the agency's calendar rows ("sắp đến hạn" and the rows' countdowns), the tab counts, the
# open consultations' count, the page's keys and then its rows (core.pagination).
QUEUE_QUERIES = 9  # 12 before the profile and its roles were read together, 11 before one calendar,
# 10 before the bell's count came with the user


def test_an_overdue_queue_of_old_dossiers_costs_the_same_queries_and_shows_each_delay(
    client, personas, django_assert_num_queries
):
    """Two years overdue: each row's countdown is counted, not walked day by day (agencies.calendar)."""
    import datetime as dt

    from django.utils import timezone

    procedure = procedure_for(personas.agency_a)
    for _ in range(30):
        DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, received=True)
    Dossier.objects.filter(agency=personas.agency_a).update(appointment_at=timezone.now() - dt.timedelta(days=730))
    officer = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.SPECIALIST)
    force_login_verified(client, officer)
    client.get("/mot-cua/")
    for number in (1, 2):
        with django_assert_num_queries(QUEUE_QUERIES):
            response = client.get("/mot-cua/", {"hang-doi": "qua-han", "trang": number})
        assert response.status_code == 200
        assert response.content.decode().count("countdown--overdue") == (25 if number == 1 else 5)


def test_the_clerk_signs_the_result_and_the_citizen_downloads_it_once_returned(client, desk, head, sent, personas):
    from dichvucong.documents.models import IssuedDocument
    from dichvucong.documents.signing import verify_pdf
    from dichvucong.dossiers.models import DossierDocument
    from dichvucong.dossiers.tests import samples

    leader = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.AGENCY_LEADER)
    clerk = make_officer(UserFactory(officer=True, full_name="Bùi Văn Toàn"), personas.agency_a, OfficerRole.CLERK)
    dossier = dossier_transition(dossier_id=sent.pk, action=A.RECEIVE, actor=desk)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.FORWARD, actor=personas.officer_a)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.FORWARD, actor=head)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.FORWARD, actor=leader)
    force_login_verified(client, clerk)
    # Not a PDF: refused by content, nothing changes.
    response = client.post(
        reverse("backoffice:act", args=[dossier.code, A.SIGN]),
        {"sign-version": dossier.version, "sign-result": samples.as_upload(samples.jpeg_bytes(), "ket-qua.pdf")},
    )
    assert response.status_code == 400
    assert "không được chấp nhận" in response.content.decode()
    assert not DossierDocument.objects.exists()
    result = samples.as_upload(samples.pdf_bytes("Trích lục khai sinh"), "trich-luc-khai-sinh.pdf")
    response = client.post(
        reverse("backoffice:act", args=[dossier.code, A.SIGN]), {"sign-version": dossier.version, "sign-result": result}
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == DossierStatus.RESULT_READY
    signed = DossierDocument.objects.get(dossier=dossier, is_signed=True)
    assert signed.signer_name == "Bùi Văn Toàn"
    content = signed.file.read()
    reports = verify_pdf(content)
    assert len(reports) == 1
    assert reports[0].intact
    assert reports[0].valid
    assert reports[0].trusted
    assert personas.agency_a.name in (reports[0].organisation + reports[0].signer_common_name)
    tampered = bytearray(content)
    position = content.index(b"/Type /Page") + 2
    tampered[position] ^= 0x01
    assert not verify_pdf(bytes(tampered))[0].intact
    # Registered as issued under the document's public id, for /xac-thuc/<id>/.
    issued = IssuedDocument.objects.get(public_id=signed.public_id.hex)
    assert (issued.sha256, issued.signer_name, issued.signature_status) == (signed.sha256, "Bùi Văn Toàn", "valid")
    # The citizen gets it once it is returned, not before; another citizen never.
    client.force_login(personas.citizen)
    assert client.get(reverse("dossiers:result", args=[signed.pk])).status_code == 404
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.RETURN_RESULT, actor=desk)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Kết quả giải quyết" in page
    assert reverse("documents:verify", args=[signed.public_id.hex]) in page
    response = client.get(reverse("dossiers:result", args=[signed.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    client.force_login(personas.other_citizen)
    assert client.get(reverse("dossiers:result", args=[signed.pk])).status_code == 404


def test_each_move_gives_its_slip_with_the_expected_vietnamese_text(client, desk, sent, personas):
    from io import BytesIO

    from pypdf import PdfReader

    def text(response) -> str:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        return " ".join((page.extract_text() or "") for page in PdfReader(BytesIO(response.content)).pages)

    force_login_verified(client, desk)
    assert client.get(reverse("backoffice:slip", args=[sent.code, "receipt"])).status_code == 404  # not received
    first = sent.procedure_version.components.first()
    dossier = dossier_transition(
        dossier_id=sent.pk,
        action=A.REQUEST_SUPPLEMENT,
        actor=desk,
        comment="Đề nghị chụp lại.",
        data={"items": [{"component": first.pk, "reason": "Ảnh mờ, không đọc được số"}]},
    )
    supplement = text(client.get(reverse("backoffice:slip", args=[dossier.code, "supplement"])))
    assert "YÊU CẦU BỔ SUNG" in supplement.upper()
    assert "Ảnh mờ, không đọc được số" in supplement
    assert dossier.code in supplement
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT_SUPPLEMENT, actor=personas.citizen)
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.RECEIVE, actor=desk)
    receipt = text(client.get(reverse("backoffice:slip", args=[dossier.code, "receipt"])))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt.upper()
    assert "Đặng Thị Mai" in receipt
    assert "Nguyễn Văn An" in receipt
    control = text(client.get(reverse("backoffice:slip", args=[dossier.code, "control"])))
    assert "KIỂM SOÁT" in control.upper()
    assert "Tiếp nhận hồ sơ" in control
    # The citizen gets the receipt and the supplement slip, not the control slip; nobody else gets any.
    client.force_login(personas.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert "TIẾP NHẬN" in text(client.get(reverse("dossiers:slip", args=[dossier.code, "receipt"]))).upper()
    assert client.get(reverse("dossiers:slip", args=[dossier.code, "control"])).status_code == 404
    client.force_login(personas.other_citizen)
    assert client.get(reverse("dossiers:slip", args=[dossier.code, "receipt"])).status_code == 404
    force_login_verified(client, personas.officer_b)
    assert client.get(reverse("backoffice:slip", args=[dossier.code, "receipt"])).status_code == 404


def test_the_tracking_book_exports_the_filtered_dossiers_to_excel_and_pdf(client, sent, personas):
    from io import BytesIO

    from openpyxl import load_workbook

    other = DossierFactory(agency=personas.agency_b, submitted=True)
    force_login_verified(client, personas.officer_a)
    response = client.get(reverse("backoffice:tracking_book") + "?dinh-dang=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert sent.code in cells
    assert other.code not in cells  # another agency's dossier never leaks into the book
    assert "Nguyễn Văn An" in cells
    response = client.get(reverse("backoffice:tracking_book") + "?dinh-dang=pdf&ma=KHONG-CO")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_officers_see_each_files_check_and_who_signed_a_signed_pdf(client, personas, birth_procedure):
    from dichvucong.dossiers.services import dossier_file_add
    from dichvucong.dossiers.tests import samples

    dossier = draft_with_files(personas, birth_procedure)
    _first, _second, optional = list(birth_procedure.current_version.components.all())
    dossier_file_add(
        dossier=dossier,
        component_id=optional.pk,
        upload=samples.as_upload(samples.signed_pdf_bytes(), "uy-quyen-da-ky.pdf"),
        actor=personas.citizen,
    )
    dossier = dossier_transition(dossier_id=dossier.pk, action=A.SUBMIT, actor=personas.citizen)
    signed = DossierFile.objects.get(dossier=dossier, component=optional)
    force_login_verified(client, personas.officer_a)
    page = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert signed.sha256[:16] in page
    assert "application/pdf" in page
    # A self-made certificate: valid and intact, but not from a trusted authority; the page says so.
    assert "file-item__signature is-warning" in page


def test_another_agency_is_consulted_sees_only_what_was_shared_and_its_answer_joins_the_dossier(
    client, desk, sent, personas, django_capture_on_commit_callbacks
):
    dossier = dossier_transition(dossier_id=sent.pk, action=A.RECEIVE, actor=desk)
    shared, hidden = list(DossierFile.objects.filter(dossier=dossier).order_by("pk"))[:2]
    force_login_verified(client, personas.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            client,
            dossier,
            A.CONSULT,
            agency=personas.agency_b.pk,
            question="Đề nghị xác minh nơi cư trú của người yêu cầu.",
            files=[str(shared.pk)],
            hours="16",
        )
    assert response.status_code == 302
    consultation = dossier.consultations.get()
    assert consultation.agency == personas.agency_b
    from dichvucong.notifications.models import Notification

    told = Notification.objects.get(user=personas.officer_b, channel="in_app", event="officer_deadline")
    assert f"/mot-cua/xin-y-kien/{consultation.pk}/" in told.body_text
    # The consulted agency: its queue, the shared file, nothing else of the dossier.
    force_login_verified(client, personas.officer_b)
    assert dossier.code in client.get(reverse("backoffice:consultations")).content.decode()
    assert client.get(reverse("backoffice:file", args=[shared.pk])).status_code == 200
    assert client.get(reverse("backoffice:file", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("backoffice:dossier", args=[dossier.code])).status_code == 404
    url = reverse("backoffice:consultation", args=[consultation.pk])
    assert client.post(url, {"answer": "  "}).status_code == 400
    assert client.post(url, {"answer": "Người yêu cầu cư trú hợp pháp tại địa chỉ đã khai."}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.answered_by == personas.officer_b
    again = client.post(url, {"answer": "Lần nữa"})
    assert again.status_code == 400
    assert "đã được trả lời" in again.content.decode()
    consultation.refresh_from_db()
    assert consultation.answer == "Người yêu cầu cư trú hợp pháp tại địa chỉ đã khai."
    # The handling agency reads the answer on the dossier; the history has both moves.
    force_login_verified(client, personas.officer_a)
    page = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert "Người yêu cầu cư trú hợp pháp tại địa chỉ đã khai." in page
    actions = list(dossier.events.values_list("action", flat=True))
    assert actions[-2:] == [A.CONSULT, A.ANSWER_CONSULTATION]
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSING
    # A third agency's officer cannot see or answer it.
    third = make_officer(
        UserFactory(officer=True),
        DossierFactory._meta.model.objects.none().model and personas.agency_a,
        OfficerRole.CLERK,
    )
    force_login_verified(client, third)
    assert client.get(url).status_code == 404


def test_the_consultations_queue_reads_one_calendar_whatever_the_asking_agencies(
    client, personas, django_assert_num_queries
):
    """The answer is due on the consulted agency's calendar: its day off counts, the askers' do not,
    and the page reads that one calendar instead of one per asking agency."""
    import datetime as dt

    from django.utils import timezone

    from dichvucong.agencies.calendar import calendar_for
    from dichvucong.agencies.constants import CalendarDayKind
    from dichvucong.agencies.tests.factories import AgencyFactory, CalendarDayFactory
    from dichvucong.dossiers.codes import CODE_TIMEZONE
    from dichvucong.dossiers.models import Consultation
    from dichvucong.dossiers.selectors_officer import countdown

    moment = timezone.now()
    # The consulted agency (B) closes for the next ten days; the asking agencies do not.
    today = moment.astimezone(CODE_TIMEZONE).date()
    for offset in range(1, 11):
        CalendarDayFactory(
            agency=personas.agency_b, date=today + dt.timedelta(days=offset), kind=CalendarDayKind.DAY_OFF
        )
    due = moment + dt.timedelta(days=12)
    consulted = calendar_for(personas.agency_b)
    for _ in range(4):
        dossier = DossierFactory(agency=AgencyFactory(), received=True)
        Consultation.objects.create(
            dossier=dossier,
            agency=personas.agency_b,
            question="Đề nghị xác minh nơi cư trú.",
            requested_by=personas.officer_a,
            requested_at=moment,
            due_at=due,
        )
    item = Consultation.objects.select_related("agency", "dossier__agency").first()
    shown = countdown(item.dossier, item.due_at, now=moment, agency=item.agency)
    assert shown.remaining == consulted.working_time_between(moment, due)
    assert shown.remaining != countdown(item.dossier, item.due_at, now=moment).remaining

    force_login_verified(client, personas.officer_b)
    client.get(reverse("backoffice:consultations"))  # the session, warm
    # Session, user, TOTP device, officer profile with its roles, the consultations, B's calendar, the bell.
    with django_assert_num_queries(CONSULTATIONS_QUERIES):
        page = client.get(reverse("backoffice:consultations"))
    assert page.status_code == 200
    assert page.content.decode().count("countdown") >= 4


def _consultations_asked_of(agency, *, count: int, askers: int) -> None:
    """`count` open consultations asked of `agency` about dossiers of `askers` other agencies."""
    import datetime as dt

    from django.utils import timezone

    from dichvucong.agencies.tests.factories import AgencyFactory
    from dichvucong.dossiers.models import Consultation

    dossiers = [DossierFactory(agency=AgencyFactory(), received=True) for _ in range(askers)]
    moment = timezone.now()
    Consultation.objects.bulk_create(
        Consultation(
            dossier=dossiers[n % askers],
            agency=agency,
            question=f"Đề nghị cho ý kiến về hồ sơ số {n}.",
            requested_by=dossiers[n % askers].applicant,
            requested_at=moment - dt.timedelta(hours=n),
            due_at=moment + dt.timedelta(hours=40 - n),
        )
        for n in range(count)
    )


# Session, user with the bell's unread count, TOTP device, officer profile with its roles, the
# consultations (joined to their dossier, its procedure version and agency, and the asker), the
# consulted agency's calendar (one query whatever the asking agencies). 47 for 40 consultations from
# 40 agencies before, 7 before the bell's count came with the user.
CONSULTATIONS_QUERIES = 6


@pytest.mark.parametrize(("count", "askers"), [(2, 1), (40, 40)])
def test_the_consultations_queue_costs_the_same_queries_whatever_the_number_of_asking_agencies(
    client, personas, django_assert_num_queries, count, askers
):
    _consultations_asked_of(personas.agency_b, count=count, askers=askers)
    force_login_verified(client, personas.officer_b)
    client.get(reverse("backoffice:consultations"))  # the session's first read
    with django_assert_num_queries(CONSULTATIONS_QUERIES):
        response = client.get(reverse("backoffice:consultations"))
    assert response.status_code == 200
    assert len(re.findall(r"/mot-cua/xin-y-kien/\d+/", response.content.decode())) == count


@pytest.mark.parametrize(
    ("language", "remaining", "expected"),
    [
        ("vi", 3.5, "Còn 3,5 giờ làm việc"),
        ("vi", 8.0, "Còn 8 giờ làm việc"),
        ("vi", -2.25, "Quá hạn 2,2 giờ làm việc"),
        ("en", 3.5, "3.5"),
        ("en", -16.0, "16"),
    ],
)
def test_a_countdown_reads_in_working_hours_with_the_languages_decimal_sign(language, remaining, expected):
    import datetime as dt

    from django.utils import translation

    from dichvucong.dossiers.selectors_officer import Countdown

    level = "overdue" if remaining < 0 else "ok"
    with translation.override(language):
        text = Countdown(remaining=dt.timedelta(hours=remaining), level=level).text
    assert expected in text
    if language == "en":
        assert ("overdue" in text.lower()) == (remaining < 0)
        assert "giờ" not in text


def test_queue_rows_show_what_the_table_needs_without_the_declaration(client, personas, django_assert_num_queries):
    """The rows are read by key with only the table's columns: the page still shows each of them."""
    procedure = procedure_for(personas.agency_a)
    dossier = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, submitted=True)
    Dossier.objects.filter(pk=dossier.pk).update(owner_name="Nguyễn Thị Hàng Đợi", eform_data={"x": "y" * 5000})
    officer = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.ONE_STOP)
    force_login_verified(client, officer)
    client.get("/mot-cua/")
    with django_assert_num_queries(QUEUE_QUERIES):
        page = client.get("/mot-cua/", {"hang-doi": "cho-tiep-nhan"}).content.decode()

    assert f'href="/mot-cua/ho-so/{dossier.code}/"' in page
    assert "Nguyễn Thị Hàng Đợi" in page
    assert procedure.versions.get().name in page
    assert "<td>Đã gửi</td>" in page
    assert "giờ làm việc" in page
    assert "y" * 5000 not in page


def test_due_soon_counts_on_the_officers_agency_calendar_and_an_administrators_on_the_national_one(personas):
    from django.utils import timezone

    from dichvucong.core.permissions import ROLE_SYSTEM_ADMIN
    from dichvucong.dossiers.selectors_officer import queue_filters

    officer = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.SPECIALIST)
    calendars: dict = {}
    queue_filters(officer, now=timezone.now(), calendars=calendars)
    assert list(calendars) == [personas.agency_a.pk]  # the rows' countdowns reuse it

    # A system administrator with an officer profile of their own sees every agency's dossiers.
    admin = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.SPECIALIST, ROLE_SYSTEM_ADMIN)
    calendars = {}
    queue_filters(admin, now=timezone.now(), calendars=calendars)
    assert calendars == {}


def test_a_queue_row_shows_hostile_names_as_text(client, personas):
    """The rows are drawn in Python (dossiers/presentation.py): every value is escaped there."""
    procedure = procedure_for(personas.agency_a)
    dossier = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, submitted=True)
    Dossier.objects.filter(pk=dossier.pk).update(owner_name='<script>alert("x")</script> & Co')
    procedure.versions.update(name="Thủ tục <b>đậm</b>")
    assignee = UserFactory(officer=True, full_name="<img src=x onerror=alert(1)>")
    Dossier.objects.filter(pk=dossier.pk).update(assignee=assignee)
    officer = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.ONE_STOP)
    force_login_verified(client, officer)

    page = client.get("/mot-cua/", {"hang-doi": "cho-tiep-nhan"}).content.decode()

    for raw in ("<script>alert", "<b>đậm", "<img src=x"):
        assert raw not in page
    assert "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</td>" in page
    assert "<td>Thủ tục &lt;b&gt;đậm&lt;/b&gt;</td>" in page
    assert '<br><span class="hint">&lt;img src=x onerror=alert(1)&gt;</span>' in page


def test_the_tab_counts_compiled_once_answer_as_the_orm_for_every_kind_of_officer(personas):
    """The counts' SQL is reused for officers of the same shape (core/compiled.py): same figures as the ORM."""
    import datetime as dt

    from django.utils import timezone

    from dichvucong.agencies.models import Unit
    from dichvucong.core.permissions import ROLE_SYSTEM_ADMIN
    from dichvucong.dossiers.selectors_officer import _count_tabs, queue_counts, queue_filters

    procedure = procedure_for(personas.agency_a)
    for state in ("submitted", "submitted", "received", "received", "received", "result_ready", "returned"):
        DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, **{state: True})
    DossierFactory(agency=personas.agency_b, procedure=procedure_for(personas.agency_b), submitted=True)
    late = Dossier.objects.filter(agency=personas.agency_a, status=DossierStatus.PROCESSING).first()
    Dossier.objects.filter(pk=late.pk).update(appointment_at=timezone.now() - dt.timedelta(days=3))
    unit = Unit.objects.create(agency=personas.agency_a, name="Phòng Hộ tịch")
    officers = {
        "desk": make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.ONE_STOP),
        "specialist": make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.SPECIALIST),
        "specialist in a unit": make_officer(
            UserFactory(officer=True), personas.agency_a, OfficerRole.SPECIALIST, unit=unit
        ),
        "two roles": make_officer(
            UserFactory(officer=True), personas.agency_a, OfficerRole.ONE_STOP, OfficerRole.SPECIALIST
        ),
        "no role": make_officer(UserFactory(officer=True), personas.agency_a),
        "other agency": personas.officer_b,
        "administrator": make_officer(UserFactory(officer=True), personas.agency_a, ROLE_SYSTEM_ADMIN),
    }
    seen = {}
    for who, officer in officers.items():
        conditions = queue_filters(officer, now=timezone.now())
        orm = _count_tabs(conditions.values)
        expected = {slug: orm[slug.replace("-", "_")] for slug in conditions}
        assert queue_counts(officer, filters=conditions) == expected, who
        assert queue_counts(officer, filters=conditions) == expected, who  # compiled by now
        seen[who] = expected

    assert seen["desk"]["cho-tiep-nhan"] == 2
    assert seen["desk"]["tat-ca"] == 7
    assert seen["other agency"]["tat-ca"] == 1
    assert seen["administrator"]["tat-ca"] == 8
    assert seen["desk"]["qua-han"] == 1
    assert seen["desk"]["cho-tra-ket-qua"] == 1
    assert seen["specialist"]["viec-cua-toi"] >= 1
    assert seen["no role"]["viec-cua-toi"] == 0
