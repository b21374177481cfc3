"""The sandbox national portal, mounted by the project's URLconf:

path("cong-quoc-gia-thu-nghiem/", include("dichvucong.interop.sandbox_urls")),
"""

from django.urls import path

from dichvucong.interop import sandbox_views

app_name = "interop_sandbox"

urlpatterns = [
    path("", sandbox_views.received, name="received"),
    path("api/dong-bo-ho-so/", sandbox_views.receive, name="receive"),
    path("trang-thai/", sandbox_views.switch, name="switch"),
]
