"""The portal's addresses plus the two references bench/pages.py compares every page with, served by the
same processes through the same middleware: a bare view and a view making one indexed query."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns
from dichvucong.dossiers.models import Dossier


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def one_query(request: HttpRequest) -> HttpResponse:
    code = Dossier.objects.filter(pk=int(request.GET.get("pk") or 1)).values_list("code", flat=True).first()
    return HttpResponse(code or "-", content_type="text/plain")


urlpatterns = [path("__bench/bare/", bare), path("__bench/one-query/", one_query), *portal_urlpatterns]
