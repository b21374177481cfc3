"""The template builtins that keep hot pages cheap: {% url %} with remembered answers, {% memo %}, |ngay_gio."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation

from dichvucong.core.templatetags import cached_url, memo
from dichvucong.core.templatetags.formatting import menu_section, ngay_gio


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


# --- {% memo %} -----------------------------------------------------------------------------------
def test_a_memo_renders_its_body_once_for_each_key_and_language():
    memo.memo_clear()
    source = '{% load i18n %}{% memo section=section %}{% translate "Trang chủ" %} {{ section }}{% endmemo %}'
    page = engines["django"].from_string(source)

    with translation.override("vi"):
        assert page.render({"section": "/tra-cuu"}) == "Trang chủ /tra-cuu"
        assert page.render({"section": "/tra-cuu"}) == "Trang chủ /tra-cuu"
        assert len(memo._table) == 1
        assert page.render({"section": "/"}) == "Trang chủ /"
    with translation.override("en"):
        assert page.render({"section": "/"}) == "Home /"
    assert len(memo._table) == 3


def test_a_memo_serves_the_remembered_text_without_rendering_again(monkeypatch):
    memo.memo_clear()
    page = engines["django"].from_string("{% memo name=name %}<b>{{ name }}</b>{% endmemo %}")
    calls = []
    render_body = memo.MemoNode._render_body
    monkeypatch.setattr(memo.MemoNode, "_render_body", lambda node, *args: calls.append(1) or render_body(node, *args))

    assert [page.render({"name": "Sở Tư pháp"}) for _ in range(3)] == ["<b>Sở Tư pháp</b>"] * 3
    assert len(calls) == 1


def test_a_memo_body_sees_only_the_values_it_was_given():
    # Nothing of the visitor can be remembered for the next one: what was not handed over is empty.
    memo.memo_clear()
    request = RequestFactory().get("/tra-cuu/?ma=X")
    source = "{% memo portal=portal %}[{{ user }}|{{ request.path }}|{{ secret }}|{{ portal.name }}]{% endmemo %}"

    html = (
        engines["django"]
        .from_string(source)
        .render({"user": "Nguyễn Văn A", "secret": "012345678901", "portal": {"name": "Cổng DVC"}}, request)
    )

    assert html == "[|||Cổng DVC]"


def test_a_memo_escapes_like_the_page_and_keeps_its_text_safe():
    memo.memo_clear()
    outer = engines["django"].from_string("{% memo name=name %}{{ name }}{% endmemo %}{{ after }}")

    assert outer.render({"name": "<script>", "after": "&"}) == "&lt;script&gt;&amp;"
    assert outer.render({"name": "<script>", "after": "&"}) == "&lt;script&gt;&amp;"  # remembered, not escaped twice


def test_a_memo_refuses_a_csrf_token_and_positional_arguments():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        engines["django"].from_string("{% memo %}{% csrf_token %}{% endmemo %}")
    with pytest.raises(TemplateSyntaxError, match="name=value"):
        engines["django"].from_string("{% memo section %}x{% endmemo %}")


def test_a_memo_with_a_value_that_cannot_be_a_key_renders_every_time():
    memo.memo_clear()

    class Officer:
        def __init__(self, name: str) -> None:
            self.name = name

    page = engines["django"].from_string("{% memo who=who %}{{ who.name }}{% endmemo %}")

    assert page.render({"who": Officer("A")}) == "A"
    assert page.render({"who": Officer("B")}) == "B"
    assert memo._table == {}


def test_the_memo_table_is_bounded_and_forgotten_when_a_setting_changes(settings):
    memo.memo_clear()
    page = engines["django"].from_string("{% memo n=n %}{{ n }}{% endmemo %}")
    for n in range(memo.MEMO_SIZE + 40):
        page.render({"n": n})
    assert len(memo._table) == memo.MEMO_SIZE

    settings.PORTAL_DEMO = not settings.PORTAL_DEMO
    assert memo._table == {}


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "/"),
        ("/tra-cuu/", "/tra-cuu"),
        ("/thu-tuc-hanh-chinh/1.004884/", "/thu-tuc-hanh-chinh"),
        ("/ho-so/", ""),
        ("/mot-cua/", ""),
        (None, ""),
    ],
)
def test_the_menu_section_of_an_address(path, section):
    assert menu_section(path) == section
