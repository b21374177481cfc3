"""The template builtins that keep hot pages cheap: {% url %} with remembered answers, |ngay_gio."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation

from dichvucong.core.templatetags import cached_url
from dichvucong.core.templatetags.formatting import ngay_gio


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_url_tag_answers_as_reverse_does_and_remembers_the_answer():
    cached_url._reverse.cache_clear()
    source = "{% url 'dossiers:detail' code %}|{% url 'portal:home' %}|{% url 'backoffice:dossier' code=code %}"

    first = render(source, code="G01.01-261203-0001")
    hits = cached_url._reverse.cache_info().hits
    second = render(source, code="G01.01-261203-0001")

    expected = "|".join(
        (
            reverse("dossiers:detail", args=["G01.01-261203-0001"]),
            reverse("portal:home"),
            reverse("backoffice:dossier", kwargs={"code": "G01.01-261203-0001"}),
        )
    )
    assert first == second == expected
    assert cached_url._reverse.cache_info().hits == hits + 3


def test_the_url_tag_keys_its_answers_on_the_argument_and_the_script_prefix():
    assert render("{% url 'dossiers:detail' ref %}", ref="A-1") == "/ho-so/A-1/"
    assert render("{% url 'dossiers:detail' ref %}", ref=7) == "/ho-so/7/"
    set_script_prefix("/cong/")
    try:
        assert render("{% url 'dossiers:detail' ref %}", ref="A-1") == "/cong/ho-so/A-1/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'dossiers:detail' ref %}", ref="A-1") == "/ho-so/A-1/"


def test_the_url_tag_escapes_and_quotes_like_django():
    assert render("{% url 'dossiers:detail' ref %}", ref="a b&c") == reverse("dossiers:detail", args=["a b&c"]).replace(
        "&", "&amp;"
    )


def test_the_url_tag_fails_as_django_does_and_as_var_swallows_the_failure():
    with pytest.raises(NoReverseMatch):
        render("{% url 'dossiers:detail' ref %}", ref="")
    assert render("{% url 'dossiers:detail' ref as link %}[{{ link }}]", ref="") == "[]"
    assert render("{% url 'dossiers:detail' ref as link %}[{{ link }}]", ref="X") == "[/ho-so/X/]"


def test_the_url_tag_takes_the_uncached_way_for_other_arguments():
    # A model instance is neither text nor a number: reverse() gets it as Django's tag would give it.
    class Code:
        def __str__(self) -> str:
            return "OBJ-1"

    assert render("{% url 'dossiers:detail' ref %}", ref=Code()) == "/ho-so/OBJ-1/"


def test_the_url_tag_takes_the_current_application_from_the_request():
    request = RequestFactory().get("/")
    request.current_app = "admin"
    template = Template("{% url 'admin:index' %}")
    assert template.render(Context({"request": request})) == reverse("admin:index", current_app="admin")


def test_ngay_gio_prints_hours_minutes_and_the_date_in_the_active_time_zone():
    moment = dt.datetime(2026, 12, 3, 1, 5, tzinfo=dt.UTC)
    with timezone.override(ZoneInfo("Asia/Ho_Chi_Minh")):
        assert ngay_gio(moment) == "08:05 03/12/2026"
        assert render("{{ t|ngay_gio }}", t=moment) == "08:05 03/12/2026"
        assert render('{{ t|date:"H:i d/m/Y" }}', t=moment) == render("{{ t|ngay_gio }}", t=moment)
    with timezone.override(dt.UTC):
        assert ngay_gio(moment) == "01:05 03/12/2026"


def test_ngay_gio_prints_nothing_for_what_is_not_a_moment():
    assert ngay_gio(None) == ""
    assert ngay_gio(dt.date(2026, 12, 3)) == ""
    assert ngay_gio("2026-12-03") == ""
    assert render('{{ t|ngay_gio|default:"—" }}', t=None) == "—"


def test_ngay_gio_is_the_same_in_english():
    moment = dt.datetime(2026, 12, 3, 1, 5, tzinfo=dt.UTC)
    with translation.override("en"), timezone.override(ZoneInfo("Asia/Ho_Chi_Minh")):
        assert render("{{ t|ngay_gio }}", t=moment) == "08:05 03/12/2026"
