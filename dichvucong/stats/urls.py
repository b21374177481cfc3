from django.urls import path

from dichvucong.stats import views

app_name = "stats"

# Mounted at /mot-cua/thong-ke/; the public page is the portal's "portal:statistics" (/thong-ke/).
urlpatterns = [
    path("", views.officer_statistics, name="officer"),
]
