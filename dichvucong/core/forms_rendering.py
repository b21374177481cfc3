"""The form renderer: Django's own, with the one-line <input> widgets written in Python.

Every text, number, e-mail, date, password or hidden field is rendered by three nested widget
templates (text.html → input.html → attrs.html), 0.4–0.5 ms a field here: a look-up form's two
fields cost as much as the rest of its page's content, and an e-form has dozens. Those templates
hold one `<input>` and its attributes; this renderer writes the same markup directly (same
attribute order, same escaping, False attributes left out, True ones bare, callables called as the
template would). Every other widget still goes through the templates. This renderer, as Django's
`DjangoTemplates` it extends, reads django/forms/templates before any app's templates, so no app can
override these widget templates anyway (that takes `TemplatesSetting`, which this is not).
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# The input-family widget templates of django/forms/templates: each only includes input.html.
_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
                 "search", "tel", "color")
)  # fmt: skip


def _attribute(name: str, value: Any) -> str:
    if value is True:
        return f" {conditional_escape(name)}"
    return f' {conditional_escape(name)}="{conditional_escape(str(value))}"'


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html and attrs.html of django/forms/templates, in Python."""
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    attrs = ((name, value() if callable(value) else value) for name, value in widget["attrs"].items())
    parts.extend(_attribute(name, value) for name, value in attrs if value is not False)
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in _INPUTS:
            return render_input(context["widget"])
        return super().render(template_name, context, request=request)
