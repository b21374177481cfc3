from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dichvucong.catalog.search import fold, query_words
from dichvucong.catalog.selectors import SearchFilters, procedure_search
from dichvucong.catalog.tests.factories import BIRTH_FAMILY, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    for code, name, popularity in BIRTH_FAMILY:
        make_procedure(code, name, popularity=popularity)
    make_procedure("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", field="CT", popularity=100)
    make_procedure("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", field="LLTP", level="tinh")


def codes(query: str, **filters) -> list[str]:
    return [p.code for p in procedure_search(filters=SearchFilters(query=query, **filters))]


def test_fold_is_one_function_for_index_and_query():
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("  Chứng thực   bản sao; từ bản chính!") == "chung thuc ban sao tu ban chinh"
    assert fold("ĐƯỜNG Đê") == "duong de"
    assert fold("1.001193") == "1.001193"
    assert query_words("'%_ khai\" sinh --") == ("khai sinh", ["khai", "sinh"])


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "Đăng ký khai sinh", "KHAI SINH", "khai sinh", "1.001193", "  đăng   ký KHAI sinh  "]
)
def test_birth_registration_comes_first(catalogue, query):
    assert codes(query)[0] == "1.001193"


def test_phrase_ranks_above_all_words_above_some_words(catalogue):
    found = codes("khai sinh kết hợp")
    assert found[0] == "1.000689"  # the whole phrase in the name

    found = codes("ket hon khai sinh")
    # all words: the procedure whose name holds "khai sinh" and "kết hợp"... none holds all four words,
    # so the ones holding most words come first, and procedures holding none are not listed
    assert "2.000815" not in found
    assert set(found[:2]) <= {"1.000689", "1.001193", "1.001695", "1.004884", "1.000894"}

    found = codes("khai sinh nuoc ngoai")
    assert found[0] == "1.001695"  # all words
    assert found.index("1.001193") > 0  # some words only


def test_empty_query_lists_everything_by_popularity(catalogue):
    found = codes("")
    assert len(found) == 9
    assert found[0] == "2.000815"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 500,
        "' OR 1=1 --",
        '"; DROP TABLE catalog_procedure; --',
        "%",
        "_",
        "%_%",
        "<script>alert(1)</script>",
        "khai%sinh",
        "\\",
        "null",
        "😀 khai sinh",
    ],
)
def test_hostile_and_odd_queries_return_a_normal_page(client, catalogue, query):
    response = client.get(reverse("catalog:search"), {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Tìm thấy" in html


@pytest.mark.parametrize("name", ["q", "co-quan", "linh-vuc", "cap", "muc-do"])
def test_a_nul_or_a_direction_override_in_any_filter_returns_a_normal_page(client, catalogue, name):
    response = client.get(reverse("catalog:search"), {name: "khai\x00\u202esinh"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "\x00" not in html
    assert "\u202e" not in html
    assert "Tìm thấy" in html


def test_filters(catalogue):
    assert codes("", field="CT") == ["2.000815"]
    assert codes("", level="tinh") == ["2.000488"]
    assert codes("khai sinh", field="CT") == []


def test_search_and_detail_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(3):
        make_procedure(f"9.{n:06d}", f"Thủ tục thử nghiệm số {n}")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("catalog:search"), {"q": "thu tuc"})
    with django_assert_max_num_queries(8) as few_detail:
        client.get(reverse("catalog:detail", args=["9.000001"]))

    for n in range(3, 60):
        make_procedure(f"9.{n:06d}", f"Thủ tục thử nghiệm số {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("catalog:search"), {"q": "thu tuc"})
    assert "Tìm thấy 60 thủ tục" in response.content.decode()
    with django_assert_max_num_queries(len(few_detail.captured_queries)):
        client.get(reverse("catalog:detail", args=["9.000042"]))


def test_detail_page_and_unknown_code(client, catalogue):
    response = client.get(reverse("catalog:detail", args=["1.001193"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html
    assert "Nộp hồ sơ" in html
    assert client.get(reverse("catalog:detail", args=["9.999999"])).status_code == 404


def test_apply_leads_to_the_dossier_form_which_needs_a_login(client, catalogue):
    response = client.get(reverse("catalog:apply", args=["1.001193"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:create", args=["1.001193"])
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def _reference_order(query: str) -> list[str]:
    """The ranking as it was computed in Python before the database did it: the order must not move."""
    from dichvucong.catalog.models import Procedure

    phrase, words = query_words(query)
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    rows = Procedure.objects.exclude(current_version=None).values_list(
        "code", "name_folded", "search_folded", "popularity"
    )

    def key(row: tuple[str, str, str, int]) -> tuple[int, int, int, str]:
        code, name, text, popularity = row
        in_name, in_text = [w in name for w in words], [w in text for w in words]
        score = (
            (10000 if code == phrase else 0)
            + (5000 if name == phrase else 0)
            + (3000 if phrase in name else 0)
            + (1000 if phrase in text else 0)
            + (500 if all(in_name) else 0)
            + (200 if all(in_text) else 0)
            + 20 * sum(in_name)
            + 5 * sum(in_text)
        )
        return (-score, len(name), -popularity, code)

    matching = [row for row in rows if row[0] == phrase or any(w in row[2] for w in words)]
    return [row[0] for row in sorted(matching, key=key)]


@pytest.mark.parametrize(
    "query", ["khai sinh", "dang ky khai sinh", "Đăng ký kết hôn", "1.001193", "giay phep xay dung", "thu tuc cap"]
)
def test_the_database_ranks_as_the_python_reference_did(catalogue, query):
    from django.core.management import call_command

    call_command("catalog_generate", count=150, seed=3, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    found = codes(query)
    assert found, query
    assert found == _reference_order(query)


def test_agency_filter_links_keep_the_search_and_mark_the_current_agency(client):
    from dichvucong.agencies.tests.factories import AgencyFactory

    root = AgencyFactory(code="000.00.00.H46", name="UBND tỉnh", short_name="UBND tỉnh <Thử>")
    AgencyFactory(code="000.00.01.H46", name="Sở Tư pháp", parent=root)
    url = reverse("catalog:search")

    page = client.get(url, {"q": "khai sinh & kết hôn", "co-quan": "000.00.01.H46"}).content.decode()
    assert '<a href="?q=khai%20sinh%20%26%20k%E1%BA%BFt%20h%C3%B4n&amp;co-quan=000.00.00.H46">' in page
    assert 'co-quan=000.00.01.H46" aria-current="true">Sở Tư pháp</a>' in page
    assert "UBND tỉnh &lt;Thử&gt;" in page
    assert page.count('aria-current="true"') == 1

    plain = client.get(url).content.decode()
    assert '<a href="?co-quan=000.00.01.H46">Sở Tư pháp</a>' in plain
    assert '<a href="?" aria-current="true">' in plain


def test_agency_filter_follows_agency_changes(client):
    from dichvucong.agencies.models import Agency
    from dichvucong.agencies.tests.factories import AgencyFactory

    AgencyFactory(code="000.00.00.H46", name="UBND tỉnh")
    url = reverse("catalog:search")
    assert "UBND tỉnh" in client.get(url).content.decode()

    # A change another process made, which no signal of this one announced: the fingerprint sees it.
    Agency.objects.filter(code="000.00.00.H46").update(name="UBND tỉnh mới", updated_at=timezone.now())
    assert "UBND tỉnh mới" in client.get(url).content.decode()

    AgencyFactory(code="000.00.02.H46", name="Sở Y tế")
    assert "Sở Y tế" in client.get(url).content.decode()
    Agency.objects.get(code="000.00.02.H46").delete()
    assert "Sở Y tế" not in client.get(url).content.decode()


def test_choice_label_is_the_fields_display():
    from dichvucong.catalog.constants import ImplementingLevel, OnlineLevel
    from dichvucong.catalog.models import ProcedureVersion
    from dichvucong.catalog.templatetags.catalog_tags import choice_label

    for level in [*ImplementingLevel.values, "khac"]:
        for online in [*OnlineLevel.values, "khac"]:
            version = ProcedureVersion(level=level, online_level=online)
            assert choice_label(version, "level") == version.get_level_display()
            assert choice_label(version, "online_level") == version.get_online_level_display()
