from django.urls import path

from dichvucong.catalog import views

app_name = "catalog"

urlpatterns = [
    path("thu-tuc-hanh-chinh/", views.search, name="search"),
    path("thu-tuc-hanh-chinh/<str:code>/", views.detail, name="detail"),
    path("thu-tuc-hanh-chinh/<str:code>/nop-ho-so/", views.apply, name="apply"),
    path("thu-tuc-hanh-chinh/<str:code>/to-khai/", views.blank_form, name="blank_form"),
    path("thu-tuc-hanh-chinh/<str:code>/to-khai.pdf", views.blank_form_pdf, name="blank_form_pdf"),
    path(
        "thu-tuc-hanh-chinh/<str:code>/mau-don/<int:component_id>/", views.component_template, name="component_template"
    ),
    path("dich-vu-cong-truc-tuyen/", views.online_services, name="online_services"),
]
