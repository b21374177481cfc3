"""Dossiers for tests, brought to each lifecycle state through the services, never by writing status."""

from __future__ import annotations

from typing import Any

import factory

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.models import OfficerProfile
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.dossiers.constants import SUPPLEMENT_EFORM, DossierAction
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import dossier_create_draft, dossier_transition, dossier_update_draft

_A = DossierAction
# The moves that bring a fresh draft to each state, with the comment the move needs.
_PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted": (_A.SUBMIT,),
    "withdrawn": (_A.SUBMIT, _A.WITHDRAW),
    "withdrawn_draft": (_A.WITHDRAW,),
    "received": (_A.SUBMIT, _A.RECEIVE),
    "supplement_requested": (_A.SUBMIT, _A.REQUEST_SUPPLEMENT),
    "supplement_in_processing": (_A.SUBMIT, _A.RECEIVE, _A.REQUEST_SUPPLEMENT),
    "refused": (_A.SUBMIT, _A.REFUSE),
    "payment_requested": (_A.SUBMIT, _A.REQUEST_PAYMENT),
    "suspended": (_A.SUBMIT, _A.RECEIVE, _A.SUSPEND),
    # Through the default process: chuyên viên → lãnh đạo phòng → lãnh đạo cơ quan → văn thư → một cửa.
    "result_ready": (_A.SUBMIT, _A.RECEIVE, _A.FORWARD, _A.FORWARD, _A.FORWARD, _A.FINISH),
    "returned": (_A.SUBMIT, _A.RECEIVE, _A.FORWARD, _A.FORWARD, _A.FORWARD, _A.FINISH, _A.RETURN_RESULT),
}
_OFFICER_MOVES = frozenset(
    {
        _A.RECEIVE,
        _A.REQUEST_SUPPLEMENT,
        _A.REFUSE,
        _A.REQUEST_PAYMENT,
        _A.SUSPEND,
        _A.FORWARD,
        _A.FINISH,
        _A.RETURN_RESULT,
    }
)
_COMMENTS = {
    _A.REFUSE: "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    _A.SUSPEND: "Chờ kết quả xác minh của cơ quan khác.",
    _A.REQUEST_SUPPLEMENT: "Đề nghị bổ sung bản chụp rõ nét.",
}


def procedure_for(agency: Any, code: str | None = None, **extra: Any) -> Any:
    """A published procedure received only by `agency` (one per agency, reused)."""
    return make_procedure(code or f"9.{agency.pk:06d}", "Thủ tục thử nghiệm hồ sơ", agencies=[agency.code], **extra)


def desk_officer(agency: Any) -> Any:
    """An officer of `agency` holding every role of the default process, so one person can walk it."""
    profile = OfficerProfile.objects.filter(agency=agency, user__username__startswith="canbo-").first()
    if profile is not None:
        return profile.user
    from dichvucong.core.testing.personas import make_officer

    user = UserFactory(officer=True, username=f"canbo-{agency.pk}")
    return make_officer(
        user,
        agency,
        OfficerRole.ONE_STOP,
        OfficerRole.SPECIALIST,
        OfficerRole.HEAD_OF_DEPARTMENT,
        OfficerRole.AGENCY_LEADER,
        OfficerRole.CLERK,
    )


def supplement_items(dossier: Dossier) -> list[dict[str, Any]]:
    component = dossier.procedure_version.components.first()
    target = component.pk if component is not None else SUPPLEMENT_EFORM
    return [{"component": target, "reason": "Bản chụp không rõ nét, đề nghị chụp lại."}]


class DossierFactory(factory.Factory):
    """`DossierFactory()` is a draft; `DossierFactory(submitted=True)`, `(received=True)` … go further.

    Officer moves are made by an officer of the dossier's agency (see `desk_officer`).
    """

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
        received = factory.Trait(state="received")
        supplement_requested = factory.Trait(state="supplement_requested")
        supplement_in_processing = factory.Trait(state="supplement_in_processing")
        refused = factory.Trait(state="refused")
        payment_requested = factory.Trait(state="payment_requested")
        suspended = factory.Trait(state="suspended")
        result_ready = factory.Trait(state="result_ready")
        returned = factory.Trait(state="returned")

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
            actor = desk_officer(dossier.agency) if action in _OFFICER_MOVES else applicant
            data = {"items": supplement_items(dossier)} if action == _A.REQUEST_SUPPLEMENT else None
            dossier = dossier_transition(
                dossier_id=dossier.pk, action=action, actor=actor, comment=_COMMENTS.get(action, ""), data=data
            )
        return dossier

    @classmethod
    def _build(cls, model_class: type[Dossier], *args: Any, **kwargs: Any) -> Dossier:
        raise NotImplementedError("Dossiers are made through the services; use DossierFactory(), not .build().")
