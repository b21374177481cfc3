"""Reads on dossiers for the citizen's "Hồ sơ của tôi"."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from dichvucong.dossiers.constants import FOLDER_STATUSES, CitizenFolder
from dichvucong.dossiers.models import Dossier


def dossiers_for_applicant(*, user: AbstractBaseUser, folder: str | None = None) -> QuerySet[Dossier]:
    """The user's own dossiers, newest first, optionally one folder (a CitizenFolder value)."""
    queryset = Dossier.objects.filter(applicant=user).select_related("procedure_version", "agency")
    if folder is not None:
        queryset = queryset.filter(status__in=FOLDER_STATUSES[CitizenFolder(folder)])
    return queryset.order_by("-created_at", "-pk")


def folder_counts(*, user: AbstractBaseUser) -> dict[str, int]:
    """How many of the user's dossiers each folder holds, every folder present, in one query."""
    aggregates = {folder.value: Count("pk", filter=Q(status__in=FOLDER_STATUSES[folder])) for folder in CitizenFolder}
    counts = Dossier.objects.filter(applicant=user).aggregate(**aggregates)
    return {folder: counts[folder.value] or 0 for folder in CitizenFolder}
