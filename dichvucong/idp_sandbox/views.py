"""The sandbox identity provider (mounted at /idp-thu-nghiem/): 404 unless OIDC_SANDBOX_ENABLED.

Each tenant (vneid, dvcqg) is its own issuer, http(s)://<host>/idp-thu-nghiem/<tenant>, with the
endpoints of OpenID Connect Discovery: a real client (ours, or any library) talks to it unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dichvucong.accounts.validators import validate_national_id
from dichvucong.idp_sandbox import services
from dichvucong.idp_sandbox.constants import TENANTS, TEST_PEOPLE, TestPerson
from dichvucong.idp_sandbox.services import OAuthError

logger = logging.getLogger(__name__)
_DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
# RFC 7636 §4.2: BASE64URL(SHA256(verifier)) without padding is always 43 characters.
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def _tenant(tenant: str) -> None:
    if not settings.OIDC_SANDBOX_ENABLED or tenant not in TENANTS:
        raise Http404("The sandbox identity provider is off.")


def issuer_url(request: HttpRequest, tenant: str) -> str:
    return request.build_absolute_uri(reverse("idp_sandbox:discovery", args=[tenant])).removesuffix(_DISCOVERY_SUFFIX)


def _json(data: dict[str, Any], status: int = 200, **headers: str) -> JsonResponse:
    response = JsonResponse(data, status=status)
    # RFC 6749 §5.1: token responses must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    for name, value in headers.items():
        response[name] = value
    return response


def _oauth_error(error: OAuthError) -> JsonResponse:
    logger.info("Sandbox IdP refused: %s", error)
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = f'Basic realm="idp-thu-nghiem", error="{error.error}"'

    return _json({"error": error.error, "error_description": error.description}, status=error.status, **headers)


@require_GET
def discovery(request: HttpRequest, tenant: str) -> JsonResponse:
    _tenant(tenant)
    base = issuer_url(request, tenant)
    config = TENANTS[tenant]
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": request.build_absolute_uri(reverse("idp_sandbox:authorize", args=[tenant])),
            "token_endpoint": request.build_absolute_uri(reverse("idp_sandbox:token", args=[tenant])),
            "userinfo_endpoint": request.build_absolute_uri(reverse("idp_sandbox:userinfo", args=[tenant])),
            "jwks_uri": request.build_absolute_uri(reverse("idp_sandbox:jwks", args=[tenant])),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "name",
                "birthdate",
                config.national_id_claim,
                config.level_claim,
            ],
        }
    )


@require_GET
def jwks(request: HttpRequest, tenant: str) -> JsonResponse:
    _tenant(tenant)
    return JsonResponse(services.jwks())


class ConsentForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Người thử nghiệm"), required=False, widget=forms.RadioSelect)
    national_id = forms.CharField(label=gettext_lazy("Số CCCD"), max_length=12, required=False)
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255, required=False)
    birthdate = forms.DateField(
        label=gettext_lazy("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.national_id, f"{p.full_name} — {p.national_id}") for p in TEST_PEOPLE] + [
            ("", _("Nhập người khác"))
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("person"):
            return data
        missing = [name for name in ("national_id", "full_name", "birthdate") if not data.get(name)]
        for name in missing:
            self.add_error(name, _("Vui lòng nhập thông tin này."))
        if data.get("national_id") and "national_id" not in missing:
            try:
                validate_national_id(data["national_id"], date_of_birth=data.get("birthdate"))
            except forms.ValidationError as error:
                self.add_error("national_id", error)
        return data

    def person_chosen(self) -> TestPerson:
        data = self.cleaned_data
        found = next((p for p in TEST_PEOPLE if p.national_id == data.get("person")), None)
        if found:
            return found
        return TestPerson(data["national_id"], data["full_name"].strip(), data["birthdate"].isoformat())


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200, redirect_uri: str = ""
) -> HttpResponse:
    # Own look in one inline style sheet (nonce), and a form whose answer redirects to the client:
    # form-action must allow the client's origin, as a real provider's consent page does.
    nonce = secrets.token_urlsafe(16)
    response = render(request, template, {**context, "csp_nonce": nonce}, status=status)
    form_action = "'self'"
    parts = urlsplit(redirect_uri)
    if parts.scheme in {"http", "https"} and parts.netloc:
        form_action += f" {parts.scheme}://{parts.netloc}"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def _redirect_back(redirect_uri: str, params: dict[str, str]) -> HttpResponseRedirect:
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode({k: v for k, v in params.items() if v})}")


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest, tenant: str) -> HttpResponse:
    """The login and consent page. Errors with the client or its redirect URI are shown here and never
    redirected (RFC 6749 §4.1.2.1); the others go back to the client with error= and its state."""
    _tenant(tenant)
    params = request.GET
    redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
    try:
        client = services.client_for_authorization(
            tenant=tenant, client_id=params.get("client_id", ""), redirect_uri=redirect_uri
        )
    except OAuthError as error:
        return _render(request, "idp_sandbox/error.html", {"error": error, "tenant": TENANTS[tenant]}, status=400)
    problem = ""
    if params.get("response_type") != "code":
        problem = "unsupported_response_type"
    elif "openid" not in params.get("scope", "").split():
        problem = "invalid_scope"
    elif (
        not _S256_CHALLENGE.fullmatch(params.get("code_challenge", "")) or params.get("code_challenge_method") != "S256"
    ):
        problem = "invalid_request"  # PKCE S256 is required of every client
    elif len(params.get("nonce", "")) > 255 or len(params.get("scope", "")) > 255:
        problem = "invalid_request"
    if problem:
        return _redirect_back(redirect_uri, {"error": problem, "state": state})

    form = ConsentForm(request.POST or None, initial={"person": TEST_PEOPLE[0].national_id})
    if request.method == "POST":
        if request.POST.get("action") == "deny":
            return _redirect_back(
                redirect_uri, {"error": "access_denied", "error_description": "the person refused", "state": state}
            )
        if form.is_valid():
            code = services.code_issue(
                client=client,
                redirect_uri=redirect_uri,
                code_challenge=params["code_challenge"],
                nonce=params.get("nonce", ""),
                scope=params.get("scope", ""),
                claims=services.person_claims(tenant=tenant, person=form.person_chosen()),
            )
            return _redirect_back(redirect_uri, {"code": code, "state": state})
    context = {
        "form": form,
        "client": client,
        "tenant": TENANTS[tenant],
        "people": TEST_PEOPLE,
        "expires": dt.timedelta(seconds=60),
    }
    return _render(request, "idp_sandbox/authorize.html", context, redirect_uri=redirect_uri)


@csrf_exempt
@require_POST
def token(request: HttpRequest, tenant: str) -> JsonResponse:
    _tenant(tenant)
    form = {key: request.POST.get(key, "") for key in request.POST}
    try:
        client = services.client_authenticate(
            tenant=tenant, authorization=request.headers.get("Authorization", ""), form=form
        )
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "only authorization_code is supported")
        answer = services.code_redeem(
            client=client,
            issuer=issuer_url(request, tenant),
            code=form.get("code", ""),
            redirect_uri=form.get("redirect_uri", ""),
            code_verifier=form.get("code_verifier", ""),
        )
    except OAuthError as error:
        return _oauth_error(error)
    return _json(answer.as_dict())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest, tenant: str) -> JsonResponse:
    _tenant(tenant)
    header = request.headers.get("Authorization", "")
    try:
        if not header.lower().startswith("bearer "):
            raise OAuthError("invalid_token", "a Bearer access token is required", status=401)
        claims = services.userinfo_claims(access_token=header[7:].strip())
    except OAuthError as error:
        response = _json({"error": error.error, "error_description": error.description}, status=error.status)
        response["WWW-Authenticate"] = f'Bearer error="{error.error}"'
        return response
    return _json(claims)
