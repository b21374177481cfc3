from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dichvucong.core.selectors import database_status, queue_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database and the queue answer, 503 otherwise.

    The worker's heartbeat is reported but does not fail the check: a web process is still
    healthy while the worker restarts, and the queue keeps the tasks meanwhile.
    """
    database = database_status()
    queue = queue_status() if database["up"] else {"up": False, "error": "database down"}
    ok = database["up"] and queue["up"]
    body = {"status": "ok" if ok else "error", "database": database, "queue": queue}
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing form token: the portal's own 403 page in the visitor's language.

    Django's default page is in English and speaks of cookies and tokens; what a citizen needs to
    know is to reload the page and send the form again.
    """
    return render(request, "403.html", status=403)
