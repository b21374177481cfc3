from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import TemplateView

from dichvucong.agencies.selectors import agency_tree_cached
from dichvucong.catalog.selectors import popular_procedures


def home(request: HttpRequest) -> HttpResponse:
    context = {"agency_tree": agency_tree_cached(), "popular": popular_procedures(limit=8)}
    return render(request, "portal/home.html", context)


def support(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/support.html")


class UpcomingPage(TemplateView):
    template_name = "portal/upcoming.html"
    title: Any = ""
    summary: Any = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title, "summary": self.summary}
