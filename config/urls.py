from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from dichvucong.core.views import healthz

admin.site.site_header = "Quản trị Cổng Dịch vụ công"
admin.site.site_title = "Quản trị Cổng Dịch vụ công"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "admin/notifications/sms-outbox/",
        RedirectView.as_view(pattern_name="admin:notifications_smsoutboxmessage_changelist"),
        name="sms_outbox",
    ),
    path("admin/", admin.site.urls),
    path("thong-bao/", include("dichvucong.notifications.urls", namespace="notifications")),
    path("tai-khoan/xac-thuc-hai-lop/", include("dichvucong.accounts.urls_two_factor")),
    path("tai-khoan/ma-truy-cap/", include("dichvucong.api.urls_account")),
    path("tai-khoan/", include("dichvucong.accounts.urls")),
    path("api/v1/", include("dichvucong.api.urls")),
    path("captcha/", include("captcha.urls")),
    path("", include("dichvucong.stats.urls")),
    path("ho-so/", include("dichvucong.dossiers.urls")),
    path("mot-cua/", include("dichvucong.backoffice.urls")),
    path("thanh-toan/", include("dichvucong.payments.urls")),
    path("xac-thuc/", include("dichvucong.documents.urls", namespace="documents")),
    path("ngan-hang-thu-nghiem/", include("dichvucong.payments.gateways.sandbox_urls")),
    path("cong-quoc-gia-thu-nghiem/", include("dichvucong.interop.sandbox_urls")),
    path("idp-thu-nghiem/", include("dichvucong.idp_sandbox.urls")),
    path("", include("dichvucong.catalog.urls")),
    path("", include("dichvucong.portal.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
