"""The form renderer: Django's own, with the one-line <input> widgets written in Python.

Every text, number, e-mail, date, password or hidden field is rendered by three nested widget
templates (text.html → input.html → attrs.html), 0.4–0.5 ms a field here: a look-up form's two
fields cost as much as the rest of its page's content, and an e-form has dozens. Those templates
hold one `<input>` and its attributes; this renderer writes the same markup directly (same
attribute order, same escaping, False attributes left out, True ones bare). Every other widget,
and any of these a project template overrides, still goes through the templates.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# The input-family widget templates of django/forms/templates: each only includes input.html.
_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
                 "search", "tel", "color")
)  # fmt: skip
_STOCK_INPUT = "django/forms/widgets/input.html"


def _attribute(name: str, value: Any) -> str:
    if value is True:
        return f" {conditional_escape(name)}"
    return f' {conditional_escape(name)}="{conditional_escape(str(value))}"'


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html and attrs.html of django/forms/templates, in Python."""
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    parts.extend(_attribute(name, value) for name, value in widget["attrs"].items() if value is not False)
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in _INPUTS and self._stock(template_name):
            return render_input(context["widget"])
        return super().render(template_name, context, request=request)

    def _stock(self, template_name: str) -> bool:
        # Django's own template, not one an app overrides (app templates come first): answered
        # once per template name for the life of the process.
        known = self.__dict__.setdefault("_stock_templates", {})
        if template_name not in known:
            try:
                names = {template_name, _STOCK_INPUT}
                known[template_name] = all(
                    "django/forms/templates" in str(self.get_template(name).origin.name) for name in names
                )
            except TemplateDoesNotExist:
                known[template_name] = False
        return known[template_name]
