from django.urls import path

from dichvucong.stats import views

app_name = "stats"

# Included at the root before the dossiers' and the back office's own includes; the public page
# is the portal's "portal:statistics" (/thong-ke/).
urlpatterns = [
    path("mot-cua/thong-ke/", views.officer_statistics, name="officer"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
]
