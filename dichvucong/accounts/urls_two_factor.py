"""Officers' two-factor pages, included by the project at /tai-khoan/xac-thuc-hai-lop/."""

from django.urls import path

from dichvucong.accounts import views_two_factor

app_name = "two_factor"

urlpatterns = [
    path("", views_two_factor.verify, name="verify"),
    path("cai-dat/", views_two_factor.setup, name="setup"),
]
