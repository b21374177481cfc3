from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.archive.selectors import dossiers_due_for_archiving

logger = logging.getLogger(__name__)

DUE_LISTED = 1000  # codes written to the log per run; the count is always complete


@db_periodic_task(crontab(hour="2", minute="30"))
def archive_due_report() -> list[str]:
    """Each night: the finished dossiers due for archiving, for the archivist (archive_export --due)."""
    due = dossiers_due_for_archiving()
    codes = list(due.values_list("code", flat=True)[:DUE_LISTED])
    logger.info("Dossiers due for archiving: %s (%s)", due.count(), ", ".join(codes))
    return codes
