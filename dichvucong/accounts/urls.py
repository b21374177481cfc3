from django.urls import path

from dichvucong.accounts import views, views_oidc

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/xac-thuc/", views.register_verify, name="register_verify"),
    path("dang-ky/gui-lai-ma/", views.register_resend, name="register_resend"),
    path("xac-thuc-email/<int:otp_id>/<str:token>/", views.verify_email_link, name="verify_email"),
    path("xa-phuong/", views.wards, name="wards"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-nhap/<slug:provider>/", views_oidc.oidc_start, name="oidc_start"),
    path("dang-nhap/<slug:provider>/xong/", views_oidc.oidc_callback, name="oidc_callback"),
    path("dinh-danh/", views_oidc.identities, name="identities"),
    path("dinh-danh/xac-nhan-chu-tai-khoan/", views_oidc.oidc_link_proof, name="oidc_link_proof"),
    path("dinh-danh/xac-nhan-chu-tai-khoan/huy/", views_oidc.oidc_link_cancel, name="oidc_link_cancel"),
    path("dinh-danh/lien-ket/<slug:provider>/", views_oidc.oidc_link_start, name="oidc_link_start"),
    path("dinh-danh/<int:identity_id>/huy-lien-ket/", views_oidc.identity_unlink, name="identity_unlink"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("quen-mat-khau/dat-lai/", views.password_reset_confirm, name="password_reset_confirm"),
    path("doi-so-dien-thoai/", views.phone_change, name="phone_change"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("phien-dang-nhap/", views.sessions, name="sessions"),
    path("du-lieu-cua-toi.json", views.my_data, name="my_data"),
]
