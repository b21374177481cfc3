"""core.compiled: a query compiled once per shape answers exactly as the ORM does, or goes through the ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from dichvucong.accounts.constants import AccountKind
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.compiled import CompiledQuery

pytestmark = pytest.mark.django_db
User = get_user_model()


class Recording:
    """The ORM side of a compiled query, counting how often it is asked."""

    def __init__(self, build: Any) -> None:
        self.build = build
        self.calls = 0

    def __call__(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        self.calls += 1
        return self.build(values)


def counts(values: Mapping[str, Any]) -> Mapping[str, Any]:
    users = User.objects.filter(kind__in=values["kinds"])
    if values["since"] is not None:
        users = users.filter(date_joined__gte=values["since"])
    return users.aggregate(
        everyone=Count("pk"),
        named=Count("pk", filter=Q(username=values["name"])),
        above=Count("pk", filter=Q(pk__gt=values["after"])),
    )


@pytest.fixture
def people():
    now = timezone.now()
    made = [UserFactory(username=f"cq{n}", kind=AccountKind.CITIZEN) for n in range(4)]
    made += [UserFactory(username=f"cq-officer{n}", kind=AccountKind.OFFICER) for n in range(2)]
    for n, user in enumerate(made):
        User.objects.filter(pk=user.pk).update(date_joined=now - dt.timedelta(days=n))
    return made


def test_the_compiled_query_answers_as_the_orm_for_every_value_and_compiles_once(people):
    query = CompiledQuery("test counts")
    orm = Recording(counts)
    now = timezone.now()
    cases = [
        {"kinds": (AccountKind.CITIZEN,), "since": now - dt.timedelta(days=2, hours=1), "name": "cq1", "after": 0},
        {"kinds": (AccountKind.CITIZEN,), "since": now - dt.timedelta(days=10), "name": "cq3", "after": people[2].pk},
        {"kinds": (AccountKind.OFFICER,), "since": now - dt.timedelta(days=10), "name": "cq1", "after": 0},
    ]

    answers = [dict(query.fetch_one(values, orm)) for values in cases]

    assert answers == [dict(counts(values)) for values in cases]
    assert answers[0] == {"everyone": 3, "named": 1, "above": 3}  # cq0, cq1, cq2 joined within 2 days
    assert orm.calls == 1  # the stand-in run; every answer after it is the compiled SQL


def test_a_none_or_a_longer_tuple_is_another_shape(people):
    query = CompiledQuery("test shapes")
    orm = Recording(counts)
    values = {"kinds": (AccountKind.CITIZEN, AccountKind.OFFICER), "since": None, "name": "cq-officer1", "after": 0}

    assert query.fetch_one(values, orm) == {"everyone": 6, "named": 1, "above": 6}
    assert query.fetch_one({**values, "kinds": (AccountKind.OFFICER,)}, orm) == {"everyone": 2, "named": 1, "above": 2}
    assert orm.calls == 2


def test_a_value_the_orm_transforms_is_never_substituted(people):
    # icontains turns the text into a LIKE pattern: the SQL cannot be reused, the ORM answers each time.
    query = CompiledQuery("test pattern")
    orm = Recording(lambda values: User.objects.aggregate(n=Count("pk", filter=Q(username__icontains=values["part"]))))

    assert query.fetch_one({"part": "officer"}, orm) == {"n": 2}
    assert query.fetch_one({"part": "cq"}, orm) == {"n": 6}
    assert orm.calls == 1 + 2  # the stand-in run, then the ORM for each real value


def test_an_orm_side_that_sends_no_query_goes_through_the_orm(people):
    query = CompiledQuery("test none")
    orm = Recording(lambda values: User.objects.none().aggregate(n=Count("pk", filter=Q(pk=values["pk"]))))

    assert query.fetch_one({"pk": people[0].pk}, orm) == {"n": 0}
    assert query.fetch_one({"pk": people[1].pk}, orm) == {"n": 0}
    assert orm.calls == 3


def test_values_it_cannot_stand_in_for_are_refused():
    query = CompiledQuery("test refused")
    with pytest.raises(TypeError, match="booleans"):
        query.fetch_one({"flag": True}, counts)
    with pytest.raises(TypeError, match="datetime"):
        query.fetch_one({"naive": dt.datetime(2026, 12, 4, 8, 0)}, counts)


def joined(values: Mapping[str, Any]) -> Any:
    users = User.objects.filter(username__in=values["names"], date_joined__lt=values["before"])
    return users.values("username", "date_joined", "kind", "is_active").order_by("username")


def test_values_rows_are_the_orms_rows_with_its_converters(people):
    # On SQLite the driver gives naive text-made datetimes and 0/1 for booleans: Django's converters
    # (kept from the compiler) make them what the ORM gives, aware datetimes and bools.
    query = CompiledQuery("test values")
    orm = Recording(joined)
    cases = [
        {"names": ("cq0", "cq2", "cq-officer1"), "before": timezone.now()},
        {"names": ("cq1", "cq3", "nobody"), "before": timezone.now() - dt.timedelta(hours=30)},
    ]

    answers = [query.fetch_values(values, orm) for values in cases]

    assert answers == [list(joined(values)) for values in cases]
    assert [row["username"] for row in answers[0]] == ["cq-officer1", "cq0", "cq2"]
    assert [row["username"] for row in answers[1]] == ["cq3"]  # cq1 joined a day ago, cq3 three days ago
    assert all(timezone.is_aware(row["date_joined"]) and row["is_active"] is True for row in answers[0])
    assert orm.calls == 1  # compiled from the stand-ins; never executed with them


def test_values_rows_of_an_empty_queryset_or_a_pattern_go_through_the_orm(people):
    query = CompiledQuery("test values fallback")
    orm = Recording(lambda values: User.objects.filter(username__startswith=values["start"]).values("username"))

    assert query.fetch_values({"start": "cq-off"}, orm) == [{"username": "cq-officer0"}, {"username": "cq-officer1"}]
    assert orm.calls == 2
