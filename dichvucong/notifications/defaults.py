"""The default notification templates: Vietnamese first, English for the same events.

This module is data, read by the data migration that seeds the templates and by the
`notification_templates_reset` command, so a fresh install and a reset produce the same words.
It imports no model: migrations pass in their historical model.

Context every template can use: `portal_name` (and `portal_hotline`) are added by the renderer;
the caller gives the rest: `code`, `minutes` (validity), `link`, `full_name`.
A later issue adds its events here and ships a migration that calls `templates_install` again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class DefaultTemplate(NamedTuple):
    subject: str
    body_text: str
    body_html: str = ""


TemplateKey = tuple[str, str, str]  # (event, channel, language)


def template_checksum(subject: str, body_text: str, body_html: str) -> str:
    payload = "\x1f".join((subject, body_text, body_html)).encode()
    return hashlib.sha256(payload).hexdigest()


_GREETING_VI = "Xin chào{% if full_name %} {{ full_name }}{% endif %},"
_GREETING_EN = "Hello{% if full_name %} {{ full_name }}{% endif %},"
_OTP_WARNING_VI = "Không cung cấp mã này cho bất kỳ ai, kể cả người tự xưng là cán bộ."
_OTP_WARNING_EN = "Do not share this code with anyone, including people claiming to be officials."
_IGNORE_VI = "Nếu không phải bạn yêu cầu, hãy bỏ qua thư này."
_IGNORE_EN = "If you did not ask for this, please ignore this e-mail."


def _otp_email_vi(action: str) -> DefaultTemplate:
    return DefaultTemplate(
        subject=f"Mã xác thực {action} — {{{{ portal_name }}}}",
        body_text=(
            f"{_GREETING_VI}\n\n"
            f"Mã OTP {action} của bạn là: {{{{ code }}}}\n"
            "Mã có hiệu lực trong {{ minutes }} phút.\n"
            f"{_OTP_WARNING_VI}\n\n"
            f"{_IGNORE_VI}\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_VI}</p>\n"
            f"<p>Mã OTP {action} của bạn là:</p>\n"
            '<p style="font-size:24px;font-weight:bold;letter-spacing:4px">{{ code }}</p>\n'
            "<p>Mã có hiệu lực trong {{ minutes }} phút.</p>\n"
            f"<p><strong>{_OTP_WARNING_VI}</strong></p>\n"
            f"<p>{_IGNORE_VI}</p>"
        ),
    )


def _otp_email_en(action: str) -> DefaultTemplate:
    return DefaultTemplate(
        subject=f"Your {action} code — {{{{ portal_name }}}}",
        body_text=(
            f"{_GREETING_EN}\n\n"
            f"Your {action} OTP is: {{{{ code }}}}\n"
            "The code is valid for {{ minutes }} minutes.\n"
            f"{_OTP_WARNING_EN}\n\n"
            f"{_IGNORE_EN}\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_EN}</p>\n"
            f"<p>Your {action} OTP is:</p>\n"
            '<p style="font-size:24px;font-weight:bold;letter-spacing:4px">{{ code }}</p>\n'
            "<p>The code is valid for {{ minutes }} minutes.</p>\n"
            f"<p><strong>{_OTP_WARNING_EN}</strong></p>\n"
            f"<p>{_IGNORE_EN}</p>"
        ),
    )


DEFAULT_TEMPLATES: dict[TemplateKey, DefaultTemplate] = {
    # --- OTP for registration ---------------------------------------------------------------------
    ("otp_registration", "sms", "vi"): DefaultTemplate(
        "",
        "Mã OTP đăng ký tài khoản {{ portal_name }} của bạn là {{ code }}, có hiệu lực {{ minutes }} phút. "
        "Không cung cấp mã này cho bất kỳ ai.",
    ),
    ("otp_registration", "sms", "en"): DefaultTemplate(
        "",
        "Your {{ portal_name }} registration OTP is {{ code }}, valid for {{ minutes }} minutes. "
        "Do not share this code with anyone.",
    ),
    ("otp_registration", "email", "vi"): _otp_email_vi("đăng ký tài khoản"),
    ("otp_registration", "email", "en"): _otp_email_en("registration"),
    # --- OTP for a password reset -----------------------------------------------------------------
    ("otp_password_reset", "sms", "vi"): DefaultTemplate(
        "",
        "Mã OTP lấy lại mật khẩu {{ portal_name }} của bạn là {{ code }}, có hiệu lực {{ minutes }} phút. "
        "Không cung cấp mã này cho bất kỳ ai.",
    ),
    ("otp_password_reset", "sms", "en"): DefaultTemplate(
        "",
        "Your {{ portal_name }} password reset OTP is {{ code }}, valid for {{ minutes }} minutes. "
        "Do not share this code with anyone.",
    ),
    ("otp_password_reset", "email", "vi"): _otp_email_vi("lấy lại mật khẩu"),
    ("otp_password_reset", "email", "en"): _otp_email_en("password reset"),
    # --- OTP for a new phone number ---------------------------------------------------------------
    ("otp_phone_change", "sms", "vi"): DefaultTemplate(
        "",
        "Mã OTP xác nhận đổi số điện thoại trên {{ portal_name }} là {{ code }}, có hiệu lực {{ minutes }} phút. "
        "Không cung cấp mã này cho bất kỳ ai.",
    ),
    ("otp_phone_change", "sms", "en"): DefaultTemplate(
        "",
        "Your {{ portal_name }} phone number change OTP is {{ code }}, valid for {{ minutes }} minutes. "
        "Do not share this code with anyone.",
    ),
    # --- E-mail address verification (a link) -----------------------------------------------------
    ("email_verification", "email", "vi"): DefaultTemplate(
        subject="Xác thực địa chỉ thư điện tử — {{ portal_name }}",
        body_text=(
            f"{_GREETING_VI}\n\n"
            "Để xác thực địa chỉ thư điện tử của tài khoản trên {{ portal_name }}, hãy mở liên kết sau:\n"
            "{{ link }}\n"
            "{% if minutes %}Liên kết có hiệu lực trong {{ minutes }} phút.\n{% endif %}\n"
            f"{_IGNORE_VI}\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_VI}</p>\n"
            "<p>Để xác thực địa chỉ thư điện tử của tài khoản trên {{ portal_name }}, hãy bấm vào nút dưới đây:</p>\n"
            '<p><a href="{{ link }}" style="display:inline-block;padding:10px 20px;background:#b71c1c;'
            'color:#ffffff;text-decoration:none;border-radius:4px">Xác thực thư điện tử</a></p>\n'
            '<p>Hoặc sao chép liên kết này vào trình duyệt: <a href="{{ link }}">{{ link }}</a></p>\n'
            "{% if minutes %}<p>Liên kết có hiệu lực trong {{ minutes }} phút.</p>\n{% endif %}"
            f"<p>{_IGNORE_VI}</p>"
        ),
    ),
    ("email_verification", "email", "en"): DefaultTemplate(
        subject="Verify your e-mail address — {{ portal_name }}",
        body_text=(
            f"{_GREETING_EN}\n\n"
            "To verify the e-mail address of your {{ portal_name }} account, open this link:\n"
            "{{ link }}\n"
            "{% if minutes %}The link is valid for {{ minutes }} minutes.\n{% endif %}\n"
            f"{_IGNORE_EN}\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_EN}</p>\n"
            "<p>To verify the e-mail address of your {{ portal_name }} account, press the button below:</p>\n"
            '<p><a href="{{ link }}" style="display:inline-block;padding:10px 20px;background:#b71c1c;'
            'color:#ffffff;text-decoration:none;border-radius:4px">Verify my e-mail address</a></p>\n'
            '<p>Or copy this link into your browser: <a href="{{ link }}">{{ link }}</a></p>\n'
            "{% if minutes %}<p>The link is valid for {{ minutes }} minutes.</p>\n{% endif %}"
            f"<p>{_IGNORE_EN}</p>"
        ),
    ),
    # --- Account created --------------------------------------------------------------------------
    ("account_created", "sms", "vi"): DefaultTemplate(
        "",
        "Tài khoản {{ portal_name }} của bạn đã được tạo thành công. "
        "Nếu không phải bạn đăng ký, vui lòng gọi {{ portal_hotline }}.",
    ),
    ("account_created", "sms", "en"): DefaultTemplate(
        "",
        "Your {{ portal_name }} account has been created. If you did not register, please call {{ portal_hotline }}.",
    ),
    ("account_created", "email", "vi"): DefaultTemplate(
        subject="Tài khoản của bạn trên {{ portal_name }} đã được tạo",
        body_text=(
            f"{_GREETING_VI}\n\n"
            "Tài khoản của bạn trên {{ portal_name }} đã được tạo thành công. "
            "Từ nay bạn có thể nộp hồ sơ trực tuyến, theo dõi tiến độ và nhận kết quả giải quyết "
            "thủ tục hành chính.\n"
            "{% if link %}Đăng nhập tại: {{ link }}\n{% endif %}\n"
            "Nếu không phải bạn đăng ký, vui lòng gọi {{ portal_hotline }}.\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_VI}</p>\n"
            "<p>Tài khoản của bạn trên {{ portal_name }} đã được tạo thành công. "
            "Từ nay bạn có thể nộp hồ sơ trực tuyến, theo dõi tiến độ và nhận kết quả giải quyết "
            "thủ tục hành chính.</p>\n"
            '{% if link %}<p><a href="{{ link }}">Đăng nhập</a></p>\n{% endif %}'
            "<p>Nếu không phải bạn đăng ký, vui lòng gọi {{ portal_hotline }}.</p>"
        ),
    ),
    ("account_created", "email", "en"): DefaultTemplate(
        subject="Your {{ portal_name }} account has been created",
        body_text=(
            f"{_GREETING_EN}\n\n"
            "Your {{ portal_name }} account has been created. You can now file applications online, "
            "follow their progress and receive the results.\n"
            "{% if link %}Log in at: {{ link }}\n{% endif %}\n"
            "If you did not register, please call {{ portal_hotline }}.\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            f"<p>{_GREETING_EN}</p>\n"
            "<p>Your {{ portal_name }} account has been created. You can now file applications online, "
            "follow their progress and receive the results.</p>\n"
            '{% if link %}<p><a href="{{ link }}">Log in</a></p>\n{% endif %}'
            "<p>If you did not register, please call {{ portal_hotline }}.</p>"
        ),
    ),
    ("account_created", "in_app", "vi"): DefaultTemplate(
        subject="Chào mừng bạn đến với {{ portal_name }}",
        body_text=(
            "Tài khoản của bạn đã được tạo thành công. Bạn có thể tìm thủ tục hành chính, nộp hồ sơ trực tuyến "
            "và theo dõi hồ sơ tại mục Hồ sơ của tôi."
        ),
    ),
    ("account_created", "in_app", "en"): DefaultTemplate(
        subject="Welcome to {{ portal_name }}",
        body_text=(
            "Your account has been created. You can search administrative procedures, file applications online "
            "and follow them under My dossiers."
        ),
    ),
}


# --- Dossiers: the citizen sent a dossier (queued by dossiers.services) ---------------------------
_DOSSIER_SENT_VI = (
    "Hồ sơ {{ code }} ({{ procedure_name }}) đã được gửi tới {{ agency_name }} lúc {{ submitted_at }}. "
    "Tra cứu: {{ lookup_url }}"
)
_DOSSIER_SENT_EN = (
    "Dossier {{ code }} ({{ procedure_name }}) was sent to {{ agency_name }} at {{ submitted_at }}. "
    "Track it: {{ lookup_url }}"
)

DOSSIER_TEMPLATES: dict[TemplateKey, DefaultTemplate] = {
    ("dossier_submitted", "sms", "vi"): DefaultTemplate(subject="", body_text=_DOSSIER_SENT_VI),
    ("dossier_submitted", "sms", "en"): DefaultTemplate(subject="", body_text=_DOSSIER_SENT_EN),
    ("dossier_submitted", "in_app", "vi"): DefaultTemplate(
        subject="Hồ sơ {{ code }} đã được gửi", body_text=_DOSSIER_SENT_VI
    ),
    ("dossier_submitted", "in_app", "en"): DefaultTemplate(
        subject="Dossier {{ code }} was sent", body_text=_DOSSIER_SENT_EN
    ),
    ("dossier_submitted", "email", "vi"): DefaultTemplate(
        subject="Hồ sơ {{ code }} đã được gửi — {{ portal_name }}",
        body_text=(
            "Xin chào{% if full_name %} {{ full_name }}{% endif %},\n\n"
            f"{_DOSSIER_SENT_VI}\n\n"
            "Cơ quan tiếp nhận sẽ kiểm tra hồ sơ và thông báo kết quả tiếp nhận cho bạn.\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            "<p>Xin chào{% if full_name %} {{ full_name }}{% endif %},</p>\n"
            "<p>Hồ sơ <strong>{{ code }}</strong> ({{ procedure_name }}) đã được gửi tới {{ agency_name }} "
            "lúc {{ submitted_at }}.</p>\n"
            '<p>Tra cứu: <a href="{{ lookup_url }}">{{ lookup_url }}</a></p>\n'
            "<p>Cơ quan tiếp nhận sẽ kiểm tra hồ sơ và thông báo kết quả tiếp nhận cho bạn.</p>"
        ),
    ),
    ("dossier_submitted", "email", "en"): DefaultTemplate(
        subject="Dossier {{ code }} was sent — {{ portal_name }}",
        body_text=(
            "Hello{% if full_name %} {{ full_name }}{% endif %},\n\n"
            f"{_DOSSIER_SENT_EN}\n\n"
            "The receiving agency will check the dossier and tell you whether it is accepted.\n\n"
            "{{ portal_name }}"
        ),
        body_html=(
            "<p>Hello{% if full_name %} {{ full_name }}{% endif %},</p>\n"
            "<p>Dossier <strong>{{ code }}</strong> ({{ procedure_name }}) was sent to {{ agency_name }} "
            "at {{ submitted_at }}.</p>\n"
            '<p>Track it: <a href="{{ lookup_url }}">{{ lookup_url }}</a></p>\n'
            "<p>The receiving agency will check the dossier and tell you whether it is accepted.</p>"
        ),
    ),
}

# --- Dossiers: an officer moved the dossier on (queued by dossiers.services.dossier_notify_event) --
# `message` is one sentence already in the recipient's language ("đã được tiếp nhận. Ngày hẹn…").
_DOSSIER_UPDATED_VI = "Hồ sơ {{ code }} ({{ procedure_name }}) {{ message }} Chi tiết: {{ dossier_url }}"
_DOSSIER_UPDATED_EN = "Dossier {{ code }} ({{ procedure_name }}) {{ message }} Details: {{ dossier_url }}"
DOSSIER_TEMPLATES.update(
    {
        ("dossier_updated", "sms", "vi"): DefaultTemplate(subject="", body_text=_DOSSIER_UPDATED_VI),
        ("dossier_updated", "sms", "en"): DefaultTemplate(subject="", body_text=_DOSSIER_UPDATED_EN),
        ("dossier_updated", "in_app", "vi"): DefaultTemplate(
            subject="Hồ sơ {{ code }}: có cập nhật", body_text=_DOSSIER_UPDATED_VI
        ),
        ("dossier_updated", "in_app", "en"): DefaultTemplate(
            subject="Dossier {{ code }}: update", body_text=_DOSSIER_UPDATED_EN
        ),
        ("dossier_updated", "email", "vi"): DefaultTemplate(
            subject="Hồ sơ {{ code }}: có cập nhật — {{ portal_name }}",
            body_text=(
                "Xin chào{% if full_name %} {{ full_name }}{% endif %},\n\n"
                f"{_DOSSIER_UPDATED_VI}\n\n"
                "{{ portal_name }}"
            ),
            body_html=(
                "<p>Xin chào{% if full_name %} {{ full_name }}{% endif %},</p>\n"
                "<p>Hồ sơ <strong>{{ code }}</strong> ({{ procedure_name }}) {{ message }}</p>\n"
                '<p><a href="{{ dossier_url }}">Xem hồ sơ</a></p>'
            ),
        ),
        ("dossier_updated", "email", "en"): DefaultTemplate(
            subject="Dossier {{ code }}: update — {{ portal_name }}",
            body_text=(
                "Hello{% if full_name %} {{ full_name }}{% endif %},\n\n"
                f"{_DOSSIER_UPDATED_EN}\n\n"
                "{{ portal_name }}"
            ),
            body_html=(
                "<p>Hello{% if full_name %} {{ full_name }}{% endif %},</p>\n"
                "<p>Dossier <strong>{{ code }}</strong> ({{ procedure_name }}) {{ message }}</p>\n"
                '<p><a href="{{ dossier_url }}">View the dossier</a></p>'
            ),
        ),
    }
)

# --- Back office: deadlines of the officers' own work (queued by dossiers.services.dossier_deadline_alerts) --
# `message` is one sentence in the recipient's language ("quá hạn tiếp nhận (8 giờ làm việc)…").
_OFFICER_DEADLINE_VI = "Hồ sơ {{ code }} ({{ procedure_name }}): {{ message }} Xử lý tại: {{ dossier_url }}"
_OFFICER_DEADLINE_EN = "Dossier {{ code }} ({{ procedure_name }}): {{ message }} Handle it at: {{ dossier_url }}"
DOSSIER_TEMPLATES.update(
    {
        ("officer_deadline", "in_app", "vi"): DefaultTemplate(
            subject="Hồ sơ {{ code }}: {{ headline }}", body_text=_OFFICER_DEADLINE_VI
        ),
        ("officer_deadline", "in_app", "en"): DefaultTemplate(
            subject="Dossier {{ code }}: {{ headline }}", body_text=_OFFICER_DEADLINE_EN
        ),
        ("officer_deadline", "email", "vi"): DefaultTemplate(
            subject="[Một cửa] Hồ sơ {{ code }}: {{ headline }}",
            body_text=f"Xin chào{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_OFFICER_DEADLINE_VI}\n",
        ),
        ("officer_deadline", "email", "en"): DefaultTemplate(
            subject="[One-stop] Dossier {{ code }}: {{ headline }}",
            body_text=f"Hello{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_OFFICER_DEADLINE_EN}\n",
        ),
    }
)
DEFAULT_TEMPLATES.update(DOSSIER_TEMPLATES)

# The system administrators' alert of a broken event chain or a changed file (dichvucong.integrity),
# installed by the integrity app's migration.
_INTEGRITY_VI = "Hồ sơ {{ code }}: {{ headline }}. {{ detail }}{% if dossier_url %} Xem: {{ dossier_url }}{% endif %}"
_INTEGRITY_EN = "Dossier {{ code }}: {{ headline }}. {{ detail }}{% if dossier_url %} See: {{ dossier_url }}{% endif %}"
INTEGRITY_TEMPLATES: dict[TemplateKey, DefaultTemplate] = {
    ("integrity_alert", "in_app", "vi"): DefaultTemplate(
        subject="Cảnh báo toàn vẹn: hồ sơ {{ code }}", body_text=_INTEGRITY_VI
    ),
    ("integrity_alert", "in_app", "en"): DefaultTemplate(
        subject="Data integrity alert: dossier {{ code }}", body_text=_INTEGRITY_EN
    ),
    ("integrity_alert", "email", "vi"): DefaultTemplate(
        subject="[Cảnh báo] Toàn vẹn dữ liệu: hồ sơ {{ code }}",
        body_text=f"Xin chào{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_INTEGRITY_VI}\n",
    ),
    ("integrity_alert", "email", "en"): DefaultTemplate(
        subject="[Alert] Data integrity: dossier {{ code }}",
        body_text=f"Hello{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_INTEGRITY_EN}\n",
    ),
}
DEFAULT_TEMPLATES.update(INTEGRITY_TEMPLATES)


@dataclass
class InstallReport:
    created: list[TemplateKey] = field(default_factory=list)
    updated: list[TemplateKey] = field(default_factory=list)
    kept_edited: list[TemplateKey] = field(default_factory=list)


def templates_install(
    template_model: Any, *, force: bool = False, defaults: dict[TemplateKey, DefaultTemplate] | None = None
) -> InstallReport:
    """Create missing default templates and refresh untouched ones; edited ones only with `force`.

    `template_model` is NotificationTemplate or, in a migration, its historical model.
    """
    defaults = DEFAULT_TEMPLATES if defaults is None else defaults
    report = InstallReport()
    existing = {(row.event, row.channel, row.language): row for row in template_model.objects.all()}
    for key, text in defaults.items():
        checksum = template_checksum(*text)
        row = existing.get(key)
        if row is None:
            event, channel, language = key
            template_model.objects.create(
                event=event,
                channel=channel,
                language=language,
                subject=text.subject,
                body_text=text.body_text,
                body_html=text.body_html,
                default_checksum=checksum,
            )
            report.created.append(key)
            continue
        current = template_checksum(row.subject, row.body_text, row.body_html)
        if current == checksum:
            if row.default_checksum != checksum:
                row.default_checksum = checksum
                row.save(update_fields=["default_checksum"])
            continue
        if current != row.default_checksum and not force:
            report.kept_edited.append(key)
            continue
        row.subject, row.body_text, row.body_html = text
        row.default_checksum = checksum
        row.save(update_fields=["subject", "body_text", "body_html", "default_checksum", "updated_at"])
        report.updated.append(key)
    return report


# The code that proves a person owns an existing account before their electronic identity (VNeID /
# national portal) is linked to it (dichvucong.accounts), installed by the accounts app's migration.
IDENTITY_LINK_TEMPLATES: dict[TemplateKey, DefaultTemplate] = {
    ("otp_identity_link", "sms", "vi"): DefaultTemplate(
        "",
        "Mã OTP liên kết định danh điện tử với tài khoản {{ portal_name }} là {{ code }}, có hiệu lực "
        "{{ minutes }} phút. Không cung cấp mã này cho bất kỳ ai.",
    ),
    ("otp_identity_link", "sms", "en"): DefaultTemplate(
        "",
        "Your {{ portal_name }} code to link your electronic identity is {{ code }}, valid for {{ minutes }} "
        "minutes. Do not share this code with anyone.",
    ),
}
DEFAULT_TEMPLATES.update(IDENTITY_LINK_TEMPLATES)
