from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.dossiers.services import dossier_deadline_alerts


@db_periodic_task(crontab(minute="*/10"))
def deadline_alerts() -> int:
    """Every ten minutes: acceptance, step and appointment deadlines to the officers concerned."""
    return dossier_deadline_alerts()
