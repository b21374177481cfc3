from __future__ import annotations

import pytest

from dichvucong.dossiers.constants import DossierAction
from dichvucong.dossiers.services import dossier_notify_submitted, dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.notifications.models import Notification, NotificationTemplate

pytestmark = pytest.mark.django_db


def test_templates_are_seeded_for_every_channel_and_language():
    rows = set(NotificationTemplate.objects.filter(event="dossier_submitted").values_list("channel", "language"))
    assert rows == {(c, lang) for c in ("sms", "email", "in_app") for lang in ("vi", "en")}


def test_submit_queues_notifications_on_commit_with_idempotency_keys(personas, django_capture_on_commit_callbacks):
    dossier = DossierFactory(
        applicant=personas.citizen, agency=personas.agency_a, owner_phone="+84912345678", notify_by_sms=True
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
        # Nothing before the commit: a rolled-back submission must not announce itself.
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    dossier.refresh_from_db()
    sent = {n.idempotency_key: n for n in Notification.objects.filter(event="dossier_submitted")}
    assert set(sent) == {f"dossier:{dossier.pk}:submitted:{c}" for c in ("sms", "email", "in_app")}
    sms = sent[f"dossier:{dossier.pk}:submitted:sms"]
    assert sms.recipient == "+84912345678"
    assert dossier.code in sms.body_text
    assert dossier.agency.name in sms.body_text
    assert f"/tra-cuu/?ma={dossier.code}" in sms.body_text
    assert sent[f"dossier:{dossier.pk}:submitted:in_app"].user == personas.citizen
    assert sent[f"dossier:{dossier.pk}:submitted:email"].recipient == dossier.owner_email
    # Running the side effect again (a retried task) sends nothing more.
    dossier_notify_submitted(dossier_id=dossier.pk)
    assert Notification.objects.filter(event="dossier_submitted").count() == 3


def test_no_sms_without_consent_or_phone_and_no_email_without_address(personas, django_capture_on_commit_callbacks):
    dossier = DossierFactory(
        applicant=personas.citizen,
        agency=personas.agency_a,
        owner_phone="+84912345678",
        notify_by_sms=False,
        owner_email="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"dossier:{dossier.pk}:submitted:in_app"}


def test_withdraw_queues_nothing(personas, django_capture_on_commit_callbacks):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier_transition(dossier_id=dossier.pk, action=DossierAction.WITHDRAW, actor=personas.citizen)
    assert callbacks == []
