from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last time each background worker proved it is alive.

    A row in the application database rather than a cache key: the web process and the worker
    share the database on every deployment, but not always a cache.
    """

    name = models.CharField(_("tên"), max_length=64, unique=True)
    beat_at = models.DateTimeField(_("nhịp gần nhất"))
    hostname = models.CharField(_("máy chủ"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("tiến trình"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhịp tim tiến trình nền")
        verbose_name_plural = _("nhịp tim tiến trình nền")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
