"""The sandbox identity provider, mounted by the project's URLconf:

    path("idp-thu-nghiem/", include("dichvucong.idp_sandbox.urls")),

Every view answers 404 unless OIDC_SANDBOX_ENABLED, so mounting it in production is harmless.
"""

from django.urls import path

from dichvucong.idp_sandbox import views

app_name = "idp_sandbox"

urlpatterns = [
    path("<slug:tenant>/.well-known/openid-configuration", views.discovery, name="discovery"),
    path("<slug:tenant>/authorize", views.authorize, name="authorize"),
    path("<slug:tenant>/token", views.token, name="token"),
    path("<slug:tenant>/userinfo", views.userinfo, name="userinfo"),
    path("<slug:tenant>/jwks", views.jwks, name="jwks"),
]
