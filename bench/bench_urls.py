"""The portal's addresses plus the two references bench/pages.py compares every page with, served by the
same processes through the same middleware: a bare view and a view making one indexed query. And the
bench's middleware that tells the load generator how many SQL queries each answer took."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns
from dichvucong.dossiers.models import Dossier


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def one_query(request: HttpRequest) -> HttpResponse:
    code = Dossier.objects.filter(pk=int(request.GET.get("pk") or 1)).values_list("code", flat=True).first()
    return HttpResponse(code or "-", content_type="text/plain")


def count_queries(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """X-Bench-Queries: the SQL statements of the request; X-Bench-SQL-ms: the time spent in them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        count, spent = 0, 0.0

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count, spent
            count += 1
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent += time.perf_counter() - started

        with connection.execute_wrapper(wrapper):
            response = get_response(request)
        response["X-Bench-Queries"] = str(count)
        response["X-Bench-SQL-ms"] = f"{spent * 1000:.2f}"
        return response

    return middleware


urlpatterns = [path("__bench/bare/", bare), path("__bench/one-query/", one_query), *portal_urlpatterns]
