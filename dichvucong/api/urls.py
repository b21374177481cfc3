from django.urls import path, re_path

from dichvucong.api.api import api
from dichvucong.api.views import not_found

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/v1/ answers in the API's format, not with the portal's HTML 404 page.
    re_path(r"^.*$", not_found),
]
