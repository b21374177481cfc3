"""The default templates of the alert to the system administrators (installed by a migration)."""

from dichvucong.integrity.constants import ALERT_EVENT
from dichvucong.notifications.defaults import DefaultTemplate

_VI = "Hồ sơ {{ code }}: {{ headline }}. {{ detail }}{% if dossier_url %} Xem hồ sơ: {{ dossier_url }}{% endif %}"
_EN = (
    "Dossier {{ code }}: {{ headline }}. {{ detail }}{% if dossier_url %} See the dossier: {{ dossier_url }}{% endif %}"
)

ALERT_TEMPLATES = {
    (ALERT_EVENT, "in_app", "vi"): DefaultTemplate(
        subject="Cảnh báo toàn vẹn dữ liệu: hồ sơ {{ code }}", body_text=_VI
    ),
    (ALERT_EVENT, "in_app", "en"): DefaultTemplate(subject="Data integrity alert: dossier {{ code }}", body_text=_EN),
    (ALERT_EVENT, "email", "vi"): DefaultTemplate(
        subject="[Cảnh báo] Toàn vẹn dữ liệu: hồ sơ {{ code }}",
        body_text=f"Xin chào{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_VI}\n",
    ),
    (ALERT_EVENT, "email", "en"): DefaultTemplate(
        subject="[Alert] Data integrity: dossier {{ code }}",
        body_text=f"Hello{{% if full_name %}} {{{{ full_name }}}}{{% endif %}},\n\n{_EN}\n",
    ),
}
