"""The sandbox bank, to be mounted by the project's URLconf:

    path("ngan-hang-thu-nghiem/", include("dichvucong.payments.gateways.sandbox_urls")),

The views answer 404 unless PAYMENT_SANDBOX_ENABLED, so mounting them in production is harmless.
"""

from django.urls import path

from dichvucong.payments.gateways import sandbox_views

app_name = "payments_sandbox"

urlpatterns = [
    path("thanh-toan/", sandbox_views.pay, name="pay"),
    path("api/", sandbox_views.api, name="api"),
]
