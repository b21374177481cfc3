"""Nhận bổ sung tại quầy in Chromium, with the demo desk of Thuận Hóa, at 1280 px and at 360 px."""

from __future__ import annotations

import pytest

from dichvucong.accounts.models import User
from dichvucong.backoffice.tests import test_browser
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.dossiers.services import dossier_engine_state, dossier_transition
from dichvucong.dossiers.tests import samples
from dichvucong.workflow.engine import allowed_actions
from dichvucong.workflow.selectors import officer_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

demo, people = test_browser.demo, test_browser.people
DESK, SPECIALIST = test_browser.DESK, test_browser.SPECIALIST


def _ask_supplement(dossier: Dossier) -> None:
    """Whoever holds the dossier's step asks for a clearer scan of its first paper (the clock stops)."""
    component = dossier.procedure_version.components.filter(required=True, is_eform=False).first()
    for username in (SPECIALIST, DESK):
        officer = User.objects.get(username=username)
        if DossierAction.REQUEST_SUPPLEMENT in allowed_actions(dossier_engine_state(dossier), officer_state(officer)):
            dossier_transition(
                dossier_id=dossier.pk,
                action=DossierAction.REQUEST_SUPPLEMENT,
                actor=officer,
                data={"items": [{"component": component.pk, "reason": "Bản quét mờ, đề nghị nộp lại bản rõ."}]},
            )
            return
    raise AssertionError("nobody may ask for a supplement")


def _receive_at_desk(desk, dossier: Dossier, scan, screenshot, size: str) -> None:
    from playwright.sync_api import expect

    desk.goto(f"/mot-cua/ho-so/{dossier.code}/")
    expect(desk.get_by_text("Bản số hóa").first).to_be_visible()  # the papers scanned at reception
    desk.get_by_role("link", name="Nhận bổ sung tại quầy").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Nhận bổ sung tại quầy")
    expect(desk.get_by_text("Bản quét mờ, đề nghị nộp lại bản rõ.")).to_be_visible()
    desk.locator("input[type=file]").first.set_input_files(str(scan))
    screenshot(desk, f"desk-supplement-form-{size}")
    assert desk.evaluate("document.documentElement.scrollWidth") <= desk.viewport_size["width"]
    desk.get_by_role("button", name="Tiếp nhận bổ sung").click()
    expect(desk.get_by_text(f"Đã tiếp nhận hồ sơ bổ sung {dossier.code} tại Bộ phận Một cửa.")).to_be_visible()
    line = desk.get_by_text("Nhận giấy tờ bổ sung trực tiếp tại Bộ phận Một cửa, cán bộ tiếp nhận:")
    expect(line).to_be_visible()
    line.scroll_into_view_if_needed()
    screenshot(desk, f"desk-supplement-done-{size}")
    assert desk.evaluate("document.documentElement.scrollWidth") <= desk.viewport_size["width"]
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    event = DossierEvent.objects.get(dossier=dossier, action=DossierAction.SUBMIT_SUPPLEMENT)
    assert (event.actor.username, event.data["at_desk"]) == (DESK, True)
    assert dossier.files.filter(round=1, digitised=True).count() == 1


def test_the_desk_receives_the_supplement_of_an_owner_without_account(people, screenshot, tmp_path):
    in_person, posted = (
        Dossier.objects.get(channel=channel, owner_name=name)
        for channel, name in ((IntakeChannel.IN_PERSON, "Hồ Văn Tâm"), (IntakeChannel.POST, "Lê Thị Mai"))
    )
    assert in_person.applicant.is_active is False  # the owner has no account to answer online
    for dossier in (in_person, posted):
        _ask_supplement(dossier)
    scan = tmp_path / "ban-quet-bo-sung.pdf"
    scan.write_bytes(samples.pdf_bytes("Bản quét bổ sung rõ nét"))

    desk = people(DESK)
    _receive_at_desk(desk, in_person, scan, screenshot, "1280")
    desk.set_viewport_size({"width": 360, "height": 780})
    _receive_at_desk(desk, posted, scan, screenshot, "360")
