"""Pagination of long, joined lists: the page's keys first, then only those rows with their joins.

A queue or folder page is ordered by a deadline or a date and shows columns of three or four joined
tables. Asked in one query, PostgreSQL joins every row of the queue (5,000 for a busy agency) before
it sorts and keeps 25; when the index gives the order only in part (an IN list of statuses, equal
deadlines) the join cannot stop early. Sorting bare keys first and then reading 25 rows by primary
key costs one more query but stays flat with the queue's length.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class KeysFirstPaginator(Paginator):
    """A Paginator over an ordered QuerySet whose page is read as keys, then rows (see the module).

    `rows`, when given, is the query the page's rows are read from by primary key: the columns and
    joins the page shows, without the list's conditions. The keys already passed those (and the
    caller's permission filter), and asking them again cost the rows query a second walk of the
    list's index (4.7 ms instead of 0.3 for "Sắp đến hạn" at 1,000,000 dossiers). Without it, the
    rows are read from the list itself, conditions included.
    """

    object_list: QuerySet

    def __init__(self, object_list: QuerySet, per_page: int, *, rows: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        source = self.object_list if self.rows is None else self.rows
        rows = {row.pk: row for row in source.order_by().filter(pk__in=keys)} if keys else {}
        # Without `rows`, a row that left the list between the two reads (a dossier just received)
        # is dropped; with it, the row is shown as it is now.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
