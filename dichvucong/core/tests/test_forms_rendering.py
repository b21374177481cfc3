"""PortalFormRenderer writes exactly the markup of Django's own widget templates."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from dichvucong.core.forms_rendering import PortalFormRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=20, help_text="h", widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=0, max_value=9)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.URLField(required=False, assume_scheme="https")
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "disabled": True}))
    off = forms.CharField(widget=forms.TextInput(attrs={"spellcheck": False, "data-x": 'a"<b>&', "data-n": lambda: 7}))
    note = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "<B>")])
    agree = forms.BooleanField()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "name": '"><script>alert(1)</script>',
            "email": "a@b.vn",
            "count": "12",
            "secret": "p&ss",
            "hidden": "x'y",
            "day": "2026-12-03",
            "site": "https://x.vn/?a=1&b=2",
            "phone": "0912",
            "off": "",
            "note": "<b>",
            "kind": "b",
            "agree": "on",
        },
    ],
)
def test_every_field_renders_as_with_djangos_templates(data):
    fast, stock = Everything(data, renderer=PortalFormRenderer()), Everything(data, renderer=DjangoTemplates())
    if data is None:
        fast.initial = stock.initial = {"day": dt.date(2026, 12, 3), "name": mark_safe("<i>safe</i>")}
    for name in Everything.base_fields:
        assert str(fast[name]) == str(stock[name]), name


def test_inputs_are_written_without_templates_and_the_other_widgets_still_use_them():
    class NoTemplates(PortalFormRenderer):
        def get_template(self, template_name):
            raise AssertionError(template_name)

    form = Everything(renderer=NoTemplates())
    assert str(form["name"]).startswith('<input type="text" name="name"')
    assert str(form["day"]).startswith('<input type="date" name="day"')
    with pytest.raises(AssertionError, match="textarea"):
        str(form["note"])
