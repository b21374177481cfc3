"""Dossiers for tests, brought to each lifecycle state through the services, never by writing status."""

from __future__ import annotations

from typing import Any

import factory

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.dossiers.constants import DossierAction
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import dossier_create_draft, dossier_transition, dossier_update_draft

# The actions that bring a fresh draft to each state the services can reach today.
_PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted": (DossierAction.SUBMIT,),
    "withdrawn": (DossierAction.SUBMIT, DossierAction.WITHDRAW),
    "withdrawn_draft": (DossierAction.WITHDRAW,),
}


def procedure_for(agency: Any, code: str | None = None) -> Any:
    """A published procedure received only by `agency` (one per agency, reused)."""
    return make_procedure(code or f"9.{agency.pk:06d}", "Thủ tục thử nghiệm hồ sơ", agencies=[agency.code])


class DossierFactory(factory.Factory):
    """`DossierFactory()` is a draft; `DossierFactory(submitted=True)`, `(withdrawn=True)` … go further."""

    class Meta:
        model = Dossier

    applicant = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    procedure = factory.LazyAttribute(lambda o: procedure_for(o.agency))
    state = "draft"

    class Params:
        submitted = factory.Trait(state="submitted")
        withdrawn = factory.Trait(state="withdrawn")
        withdrawn_draft = factory.Trait(state="withdrawn_draft")

    @classmethod
    def _create(cls, model_class: type[Dossier], *args: Any, **kwargs: Any) -> Dossier:
        applicant = kwargs.pop("applicant")
        state = kwargs.pop("state")
        dossier = dossier_create_draft(
            procedure=kwargs.pop("procedure"), applicant=applicant, agency=kwargs.pop("agency")
        )
        if kwargs:
            dossier = dossier_update_draft(dossier=dossier, actor=applicant, **kwargs)
        for action in _PATHS[state]:
            dossier = dossier_transition(dossier_id=dossier.pk, action=action, actor=applicant)
        return dossier

    @classmethod
    def _build(cls, model_class: type[Dossier], *args: Any, **kwargs: Any) -> Dossier:
        raise NotImplementedError("Dossiers are made through the services; use DossierFactory(), not .build().")
