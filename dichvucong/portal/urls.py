from django.urls import path
from django.utils.translation import gettext_lazy as _

from dichvucong.portal import views, views_lookup

app_name = "portal"

# Pages whose issue has not landed yet answer with an honest "being built" page that says what
# will be there, so the menu, the banner and bookmarked addresses never lead to an error.
_upcoming = views.UpcomingPage.as_view

urlpatterns = [
    path("", views.home, name="home"),
    path("ho-tro/", views.support, name="support"),
    path("tra-cuu/", views_lookup.lookup, name="lookup"),
    path(
        "thong-ke/",
        _upcoming(
            title=_("Thống kê"),
            summary=_("Số liệu tiếp nhận và giải quyết hồ sơ: đúng hạn, trước hạn, trễ hạn theo cơ quan và thủ tục."),
        ),
        name="statistics",
    ),
]
