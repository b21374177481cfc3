from __future__ import annotations

from django import template

register = template.Library()


def format_dong(amount: int | None) -> str:
    """8000 → "8.000 đ": Vietnamese thousands separator, integer đồng (never floats)."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đ"


@register.filter
def dong(amount: int | None) -> str:
    return format_dong(amount)
