"""The project's URLs with the notifications pages mounted where the lead mounts them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

_mounted = any(getattr(pattern, "namespace", None) == "notifications" for pattern in project_urlpatterns)

urlpatterns = [
    *([] if _mounted else [path("thong-bao/", include("dichvucong.notifications.urls", namespace="notifications"))]),
    *project_urlpatterns,
]
