from django.urls import path

from dichvucong.portal import views, views_lookup
from dichvucong.stats import views as stats_views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("ho-tro/", views.support, name="support"),
    path("tra-cuu/", views_lookup.lookup, name="lookup"),
    path("thong-ke/", stats_views.public_statistics, name="statistics"),
]
