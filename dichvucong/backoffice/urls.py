from django.urls import path

from dichvucong.backoffice import views, views_desk

app_name = "backoffice"

urlpatterns = [
    path("", views.queues, name="queues"),
    path("tiep-nhan/", views_desk.desk_open, name="desk_open"),
    path("tiep-nhan/<int:dossier_id>/", views_desk.desk_complete, name="desk_complete"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_act, name="act"),
    path("ho-so/<str:code>/phieu/<str:kind>/", views.slip, name="slip"),
    path("ho-so/<str:code>/bo-sung-tai-quay/", views_desk.desk_supplement, name="desk_supplement"),
    path("ho-so/<str:code>/thanh-toan/<int:request_id>/mien/", views.payment_exempt, name="payment_exempt"),
    path("ho-so/<str:code>/thanh-toan/<int:request_id>/hoan-tien/", views.payment_refund, name="payment_refund"),
    path("so-theo-doi/", views.tracking_book, name="tracking_book"),
    path("doi-soat/", views.payment_report, name="payment_report"),
    path("xin-y-kien/", views.consultations, name="consultations"),
    path("xin-y-kien/<int:consultation_id>/", views.consultation, name="consultation"),
    path("tep/<int:file_id>/", views.file_download, name="file"),
    path("tai-lieu/<int:document_id>/", views.document_download, name="document"),
]
