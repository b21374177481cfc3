"""core.rows.row_url: the address reverse() gives, for the rows' values, at a string's cost."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from dichvucong.core.rows import _around_slot, row_url

VIEWS = (
    "dossiers:detail",
    "dossiers:review",
    "dossiers:edit",
    "dossiers:delete",
    "dossiers:supplement",
    "backoffice:dossier",
)


@pytest.mark.parametrize("view_name", VIEWS)
@pytest.mark.parametrize("value", ["000.00.00.H57-250716-0001", "H46.1-2", 42, "7"])
def test_row_url_is_what_reverse_gives(view_name, value):
    assert row_url(view_name, value) == reverse(view_name, args=[value])


@pytest.mark.parametrize("value", ["a b", "mã-hồ-sơ", "x?y=1", "%2F", "A" * 101, "a/b", ""])
def test_other_values_take_reverse_and_its_answer(value):
    # Spaces, Vietnamese letters, "?" and "%" are quoted by reverse(); "/" and "" match no <str:>.
    try:
        expected = reverse("dossiers:detail", args=[value])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            row_url("dossiers:detail", value)
    else:
        assert row_url("dossiers:detail", value) == expected


def test_the_script_prefix_and_the_language_are_part_of_the_key():
    _around_slot.cache_clear()
    try:
        set_script_prefix("/cong/")
        assert row_url("dossiers:detail", "H57-1") == "/cong/ho-so/H57-1/" == reverse("dossiers:detail", args=["H57-1"])
    finally:
        set_script_prefix("/")
    assert row_url("dossiers:detail", "H57-1") == "/ho-so/H57-1/"
    with translation.override("en"):
        assert row_url("backoffice:dossier", "H57-1") == reverse("backoffice:dossier", args=["H57-1"])
    assert _around_slot.cache_info().currsize == 3


def test_a_view_without_a_str_argument_goes_through_reverse():
    # backoffice:file takes <int:file_id>: the placeholder cannot be reversed, every value goes to reverse().
    assert row_url("backoffice:file", 12) == reverse("backoffice:file", args=[12])
    with pytest.raises(NoReverseMatch):
        row_url("backoffice:file", "abc")
