from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.integrity.services import integrity_verify_step


@db_periodic_task(crontab(minute="*/15"))
def integrity_check() -> dict[str, int]:
    """Every quarter of an hour: the next INTEGRITY_BATCH dossiers' event chains and stored files.

    Bounded so that a run stays short whatever the size of the database; at 2,000 a run, a million
    dossiers are gone through in about five days, and a break is alerted once, when first found.
    """
    return integrity_verify_step()
