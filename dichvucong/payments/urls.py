from django.urls import path

from dichvucong.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.start, name="start"),
    path("yeu-cau/<int:request_id>/thanh-toan/", views.pay, name="pay"),
    path("ket-qua/", views.result, name="result"),
    path("bien-lai/<int:request_id>/", views.receipt, name="receipt"),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
]
