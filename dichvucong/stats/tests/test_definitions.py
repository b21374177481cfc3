from __future__ import annotations

import datetime as dt

import pytest

from dichvucong.dossiers.constants import IntakeChannel
from dichvucong.stats import definitions as d
from dichvucong.stats.tests.month import EXPECTED_NOVEMBER, NOVEMBER, build_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    return build_month()


def _names(qs) -> set[str]:
    return set(qs.values_list("pk", flat=True))


def test_each_category_of_a_hand_built_month(month):
    base = d.Dossier.objects.filter(agency=month.agency)
    ds = month.dossiers
    got = {
        "received_online": d.received(NOVEMBER, channel=IntakeChannel.ONLINE, base=base).count(),
        "received_in_person": d.received(NOVEMBER, channel=IntakeChannel.IN_PERSON, base=base).count(),
        "received_post": d.received(NOVEMBER, channel=IntakeChannel.POST, base=base).count(),
        "carried_over": d.carried_over(NOVEMBER, base=base).count(),
        "processed_early": d.processed_early(NOVEMBER, base=base).count(),
        "processed_on_time": d.processed_on_time(NOVEMBER, base=base).count(),
        "processed_late": d.processed_late(NOVEMBER, base=base).count(),
        "refused": d.refused(NOVEMBER, base=base).count(),
        "withdrawn": d.withdrawn(NOVEMBER, base=base).count(),
        "in_progress_on_time": d.in_progress_on_time(NOVEMBER, base=base).count(),
        "in_progress_overdue": d.in_progress_overdue(NOVEMBER, base=base).count(),
        "paused": d.paused(NOVEMBER, base=base).count(),
    }
    assert got == EXPECTED_NOVEMBER
    # And the right dossiers, not only the right numbers.
    assert _names(d.processed_late(NOVEMBER, base=base)) == {ds["carried_late"].pk, ds["extended_late"].pk}
    assert _names(d.processed_on_time(NOVEMBER, base=base)) == {ds["on_time"].pk, ds["supplement_on_time"].pk}
    assert _names(d.carried_over(NOVEMBER, base=base)) == {ds["carried_late"].pk}
    assert _names(d.paused(NOVEMBER, base=base)) == {ds["suspended"].pk}


def test_the_supplement_pause_is_not_held_against_the_agency_but_the_extension_is(month):
    paused = month.dossiers["supplement_on_time"]
    extended = month.dossiers["extended_late"]
    assert paused.original_appointment_at is None
    assert extended.original_appointment_at < extended.appointment_at


def test_a_period_of_one_day_sees_the_status_of_that_day(month):
    base = d.Dossier.objects.filter(agency=month.agency)
    during_supplement = d.Period(dt.date(2026, 11, 10), dt.date(2026, 11, 10))
    assert _names(d.paused(during_supplement, base=base)) == {month.dossiers["supplement_on_time"].pk}
    # December: the overdue and the suspended dossiers are carried over, the refused ones are not.
    december = d.Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert _names(d.carried_over(december, base=base)) == {
        month.dossiers[k].pk for k in ("overdue", "in_time", "suspended")
    }


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends before"):
        d.Period(dt.date(2026, 11, 2), dt.date(2026, 11, 1))
