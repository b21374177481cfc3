from __future__ import annotations

import pytest

from dichvucong.dossiers.constants import CitizenFolder, DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.selectors import dossiers_for_applicant, folder_counts
from dichvucong.dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def _make(personas, *, drafts: int, submitted: int, withdrawn: int) -> None:
    for _ in range(drafts):
        DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    for _ in range(submitted):
        DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    for _ in range(withdrawn):
        DossierFactory(applicant=personas.citizen, agency=personas.agency_a, withdrawn=True)


@pytest.mark.parametrize(("drafts", "submitted", "withdrawn"), [(2, 2, 1), (20, 20, 10)])
def test_folder_counts_in_one_query(personas, django_assert_num_queries, drafts, submitted, withdrawn):
    _make(personas, drafts=drafts, submitted=submitted, withdrawn=withdrawn)
    DossierFactory(applicant=personas.other_citizen, agency=personas.agency_a, submitted=True)
    with django_assert_num_queries(1):
        counts = folder_counts(user=personas.citizen)
    assert counts[CitizenFolder.DRAFT] == drafts
    assert counts[CitizenFolder.SUBMITTED] == submitted
    assert counts[CitizenFolder.REFUSED] == withdrawn  # "Đã rút" sits in "Hồ sơ bị trả lại"
    assert set(counts) == set(CitizenFolder)
    assert sum(counts.values()) == drafts + submitted + withdrawn


def test_processing_folder_holds_result_ready_too(personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    # The back office's moves are not written yet: stand in for them with a raw write.
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RESULT_READY)
    assert folder_counts(user=personas.citizen)[CitizenFolder.PROCESSING] == 1
    assert list(dossiers_for_applicant(user=personas.citizen, folder=CitizenFolder.PROCESSING)) == [dossier]


def test_dossiers_for_applicant_are_only_the_users_own_newest_first(personas):
    _make(personas, drafts=2, submitted=1, withdrawn=0)
    DossierFactory(applicant=personas.other_citizen, agency=personas.agency_a)
    mine = list(dossiers_for_applicant(user=personas.citizen))
    assert len(mine) == 3
    assert all(d.applicant_id == personas.citizen.pk for d in mine)
    assert [d.pk for d in mine] == sorted((d.pk for d in mine), reverse=True)
    assert [d.status for d in dossiers_for_applicant(user=personas.citizen, folder=CitizenFolder.SUBMITTED)] == [
        DossierStatus.SUBMITTED
    ]
    assert dossiers_for_applicant(user=personas.other_citizen, folder=CitizenFolder.SUBMITTED).count() == 0
