from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dichvucong.core.testing.personas import force_login_verified
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.stats.models import SatisfactionRating
from dichvucong.stats.satisfaction import CRITERION_KEYS

pytestmark = pytest.mark.django_db
ALL_GOOD = dict.fromkeys(CRITERION_KEYS, "3")


def _post(client, dossier, **answers):
    return client.post(f"/ho-so/{dossier.code}/danh-gia/", {**ALL_GOOD, **answers, "gop_y": "Cán bộ nhiệt tình."})


def test_the_applicant_rates_a_returned_dossier_once_and_may_change_it(client, personas):
    dossier = DossierFactory(returned=True, applicant=personas.citizen)
    force_login_verified(client, personas.citizen)
    page = client.get(f"/ho-so/{dossier.code}/")
    assert "Đánh giá mức độ hài lòng" in page.content.decode()
    assert _post(client, dossier).status_code == 302
    assert _post(client, dossier, thai_do="1").status_code == 302
    rating = SatisfactionRating.objects.get()
    assert rating.answers["thai_do"] == 1
    assert rating.satisfied is False
    assert rating.agency_id == dossier.agency_id


def test_nobody_else_rates_it_and_not_before_it_is_returned(client, personas):
    returned = DossierFactory(returned=True, applicant=personas.citizen)
    processing = DossierFactory(received=True, applicant=personas.citizen)
    force_login_verified(client, personas.other_citizen)
    assert _post(client, returned).status_code == 404
    force_login_verified(client, personas.citizen)
    response = _post(client, processing)
    assert response.status_code == 302
    assert not SatisfactionRating.objects.exists()
    assert "Đánh giá mức độ hài lòng" not in client.get(f"/ho-so/{processing.code}/").content.decode()


def test_a_missing_criterion_or_a_hostile_value_is_refused(client, personas):
    dossier = DossierFactory(returned=True, applicant=personas.citizen)
    force_login_verified(client, personas.citizen)
    response = client.post(f"/ho-so/{dossier.code}/danh-gia/", {**ALL_GOOD, "ket_qua": "9999999"}, follow=True)
    assert "Vui lòng chọn mức độ hài lòng cho từng tiêu chí" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


def test_the_rating_closes_after_the_setting_days(client, personas, settings):
    settings.SATISFACTION_EDIT_DAYS = 3
    dossier = DossierFactory(returned=True, applicant=personas.citizen)
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        force_login_verified(client, personas.citizen)
        response = _post(client, dossier)
        assert "trong thời hạn cho phép" in client.get(response.url).content.decode()
    assert not SatisfactionRating.objects.exists()
