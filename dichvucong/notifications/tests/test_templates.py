from __future__ import annotations

import pytest
from django.core.management import call_command

from dichvucong.core.errors import ApplicationError
from dichvucong.notifications.constants import Channel, NotificationEvent
from dichvucong.notifications.defaults import DEFAULT_TEMPLATES
from dichvucong.notifications.models import NotificationTemplate
from dichvucong.notifications.selectors import notification_template_get
from dichvucong.notifications.services import notification_queue, notification_render
from dichvucong.notifications.tests.factories import NotificationTemplateFactory

pytestmark = pytest.mark.django_db

OTP_CONTEXT = {"code": "123456", "minutes": 5}


@pytest.fixture(autouse=True)
def _portal_name(settings):
    settings.PORTAL_NAME = "Cổng Dịch vụ công"
    settings.PORTAL_HOTLINE = "0234 3 822 222"


def test_the_migration_seeds_every_event_the_accounts_app_uses_in_both_languages():
    seeded = set(NotificationTemplate.objects.values_list("event", "channel", "language"))
    required = {
        ("otp_registration", "sms"),
        ("otp_registration", "email"),
        ("otp_password_reset", "sms"),
        ("otp_password_reset", "email"),
        ("otp_phone_change", "sms"),
        ("email_verification", "email"),
        ("account_created", "sms"),
        ("account_created", "email"),
        ("account_created", "in_app"),
    }
    assert {(event, channel, language) for event, channel in required for language in ("vi", "en")} <= seeded
    assert seeded == set(DEFAULT_TEMPLATES)
    assert {event for event, _channel, _language in seeded} == set(NotificationEvent.values)


def test_vietnamese_sms_for_a_registration_otp():
    template = notification_template_get(event="otp_registration", channel=Channel.SMS, language="vi")

    rendered = notification_render(template=template, context=OTP_CONTEXT)

    assert rendered["body_text"] == (
        "Mã OTP đăng ký tài khoản Cổng Dịch vụ công của bạn là 123456, có hiệu lực 5 phút. "
        "Không cung cấp mã này cho bất kỳ ai."
    )
    assert rendered["subject"] == ""
    assert rendered["body_html"] == ""


def test_english_e_mail_has_a_subject_text_and_an_html_layout():
    template = notification_template_get(event="email_verification", channel=Channel.EMAIL, language="en")

    rendered = notification_render(
        template=template, context={"link": "https://dvc.example/xac-thuc/?t=a&b", "full_name": "An", "minutes": 30}
    )

    assert rendered["subject"] == "Verify your e-mail address — Cổng Dịch vụ công"
    assert "https://dvc.example/xac-thuc/?t=a&b" in rendered["body_text"]
    assert "valid for 30 minutes" in rendered["body_text"]
    assert '<html lang="en">' in rendered["body_html"]
    assert 'href="https://dvc.example/xac-thuc/?t=a&amp;b"' in rendered["body_html"]


def test_text_is_not_html_escaped_but_html_is():
    template = NotificationTemplateFactory(
        event="escape_check", channel=Channel.EMAIL, subject="{{ full_name }}", body_text="{{ full_name }}",
        body_html="<p>{{ full_name }}</p>",
    )  # fmt: skip

    rendered = notification_render(template=template, context={"full_name": "Công ty <Hoa> & Con"})

    assert rendered["body_text"] == "Công ty <Hoa> & Con"
    assert "<p>Công ty &lt;Hoa&gt; &amp; Con</p>" in rendered["body_html"]


def test_a_subject_is_one_line():
    template = NotificationTemplateFactory(event="subject_check", channel=Channel.EMAIL, subject="Dòng 1\nDòng 2")

    assert notification_render(template=template, context={})["subject"] == "Dòng 1 Dòng 2"


def test_a_missing_language_falls_back_to_vietnamese():
    NotificationTemplateFactory(
        event="chi_co_tieng_viet", channel=Channel.SMS, language="vi", body_text="Mã {{ code }}"
    )

    notification = notification_queue(
        event="chi_co_tieng_viet",
        channel=Channel.SMS,
        recipient="+84912345678",
        context={"code": "999"},
        idempotency_key="fallback:1",
        language="en",
    )

    assert notification.body_text == "Mã 999"
    assert notification.language == "vi"


def test_no_template_at_all_is_a_clear_application_error():
    with pytest.raises(ApplicationError) as caught:
        notification_template_get(event="ho_so_chua_co", channel=Channel.SMS, language="en")

    assert caught.value.code == "notification_template_missing"
    assert "ho_so_chua_co" in str(caught.value)


def test_a_broken_template_is_an_application_error():
    template = NotificationTemplateFactory(event="hong", body_text="Mã {% if code %}{{ code }}")

    with pytest.raises(ApplicationError) as caught:
        notification_render(template=template, context=OTP_CONTEXT)
    assert caught.value.code == "notification_template_invalid"


def test_a_queued_message_keeps_its_text_when_the_template_is_edited_later():
    notification = notification_queue(
        event="otp_registration",
        channel=Channel.SMS,
        recipient="+84912345678",
        context=OTP_CONTEXT,
        idempotency_key="frozen:1",
    )
    NotificationTemplate.objects.filter(event="otp_registration", channel="sms", language="vi").update(
        body_text="Mã mới {{ code }}"
    )

    notification.refresh_from_db()
    assert notification.body_text.startswith("Mã OTP đăng ký tài khoản")


def test_reset_restores_untouched_and_missing_templates_but_keeps_edited_ones(capsys):
    edited = NotificationTemplate.objects.get(event="otp_registration", channel="sms", language="vi")
    edited.body_text = "Mã của tỉnh: {{ code }}"
    edited.save()
    NotificationTemplate.objects.filter(event="account_created", channel="in_app", language="en").delete()
    assert edited.is_edited

    call_command("notification_templates_reset")

    edited.refresh_from_db()
    assert edited.body_text == "Mã của tỉnh: {{ code }}"
    assert NotificationTemplate.objects.filter(event="account_created", channel="in_app", language="en").exists()
    assert "otp_registration/sms/vi" in capsys.readouterr().out

    call_command("notification_templates_reset", "--force")

    edited.refresh_from_db()
    assert edited.body_text == DEFAULT_TEMPLATES[("otp_registration", "sms", "vi")].body_text
    assert not edited.is_edited
