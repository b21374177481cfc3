"""Limit/offset pagination, capped, with the total: the same shape on every list endpoint."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Deep offsets make the database skip that many rows; nobody pages that far by hand, and a client
# that needs everything narrows its filters instead.
MAX_OFFSET = 10_000


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Số mục mỗi trang (1–100).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Bỏ qua bao nhiêu mục đầu (tối đa 10.000).")


def paginate(rows: Any, params: PageParams, *, count: int | None = None) -> dict[str, Any]:
    """One page of `rows` (a queryset or anything with len() and slices): one COUNT and one page query.

    `count`, when the caller already knows it (a folder's or queue's figure), saves the COUNT.
    """
    if count is None:
        count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    total = count
    items = list(rows[params.offset : params.offset + params.limit]) if params.offset < total else []
    return {"count": total, "limit": params.limit, "offset": params.offset, "items": items}
