from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.payments.services import payment_reconcile


@db_periodic_task(crontab(minute="*/5"))
def reconcile_payments() -> dict[str, int]:
    """Every five minutes: ask the gateways about attempts left without an answer (a lost IPN)."""
    return payment_reconcile()
