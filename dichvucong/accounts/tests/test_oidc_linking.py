"""Which account an electronic identity logs in as: create, link after proof, never merge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dichvucong.accounts.constants import AccountKind
from dichvucong.accounts.models import OidcIdentity, User
from dichvucong.accounts.services import oidc_identity_link, oidc_identity_unlink, oidc_login_resolve
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

ISSUER = "https://vneid.example.vn"
CCCD = "001090000123"


def _claims(**overrides: object) -> dict[str, object]:
    claims = {"sub": "sub-1", "cccd": CCCD, "name": "Nguyễn Văn An", "birthdate": "1990-05-17"}
    claims.update(overrides)
    return claims


def test_first_login_without_account_creates_a_verified_citizen() -> None:
    outcome = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd")
    user = outcome.user
    assert not outcome.needs_proof
    assert (user.kind, user.national_id, user.full_name) == (AccountKind.CITIZEN, CCCD, "Nguyễn Văn An")
    assert user.date_of_birth == dt.date(1990, 5, 17)
    assert user.is_active
    assert not user.has_usable_password()
    assert OidcIdentity.objects.get(issuer=ISSUER, subject="sub-1").user == user


def test_second_login_uses_the_link() -> None:
    first = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").user
    again = oidc_login_resolve(issuer=ISSUER, claims=_claims(cccd=None), national_id_claim="cccd").user
    assert again == first
    assert User.objects.filter(national_id=CCCD).count() == 1


def test_existing_verified_account_needs_proof_and_is_not_linked_yet() -> None:
    owner = UserFactory(national_id=CCCD, is_active=True, phone_verified_at=timezone.now())
    outcome = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd")
    assert outcome.needs_proof
    assert outcome.user == owner
    assert not OidcIdentity.objects.exists()
    oidc_identity_link(user=owner, issuer=ISSUER, subject="sub-1")
    assert not oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").needs_proof


def test_unverified_registration_does_not_block_the_real_owner() -> None:
    squatter = UserFactory(national_id=CCCD, is_active=False)
    user = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").user
    assert user.pk != squatter.pk
    assert not User.objects.filter(pk=squatter.pk).exists()
    assert user.national_id == CCCD


def test_an_identity_linked_to_one_account_is_never_linked_to_another() -> None:
    first = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").user
    other = UserFactory(national_id="001090000999", is_active=True)
    with pytest.raises(ApplicationError) as caught:
        oidc_identity_link(user=other, issuer=ISSUER, subject="sub-1")
    assert caught.value.code == "oidc_already_linked"
    assert OidcIdentity.objects.get(subject="sub-1").user == first


def test_officers_cannot_log_in_through_sso() -> None:
    officer = UserFactory(officer=True, national_id=CCCD, is_active=True)
    OidcIdentity.objects.create(user=officer, issuer=ISSUER, subject="sub-1")
    with pytest.raises(ApplicationError) as caught:
        oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd")
    assert caught.value.code == "oidc_officer"
    with pytest.raises(ApplicationError):
        oidc_identity_link(user=officer, issuer=ISSUER, subject="sub-2")


@pytest.mark.parametrize("cccd", [None, "", "12345", "00109000012x"])
def test_missing_or_malformed_cccd_is_refused(cccd: str | None) -> None:
    with pytest.raises(ApplicationError) as caught:
        oidc_login_resolve(issuer=ISSUER, claims=_claims(cccd=cccd), national_id_claim="cccd")
    assert caught.value.code == "oidc_no_national_id"
    assert not User.objects.exists()


def test_unlink_needs_a_password_to_keep_a_way_in() -> None:
    user = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").user
    identity = OidcIdentity.objects.get(user=user)
    with pytest.raises(ApplicationError):
        oidc_identity_unlink(user=user, identity_id=identity.pk)
    user.set_password("Mat-khau-moi-2026")
    user.save()
    stranger = UserFactory()
    with pytest.raises(ApplicationError):
        oidc_identity_unlink(user=stranger, identity_id=identity.pk)
    oidc_identity_unlink(user=user, identity_id=identity.pk)
    assert not OidcIdentity.objects.exists()


def test_the_desk_account_is_taken_over_with_its_dossiers_by_its_proven_owner(personas) -> None:
    """The desk opened an inactive account for a paper dossier; VNeID proves the CCCD, so it is theirs."""
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.models import OneTimeCode
    from dichvucong.accounts.services import RegistrationData, account_register
    from dichvucong.core.testing.personas import make_officer
    from dichvucong.dossiers.constants import IntakeChannel
    from dichvucong.dossiers.services import DeskOwner, dossier_register_at_desk
    from dichvucong.dossiers.tests.factories import procedure_for
    from dichvucong.dossiers.tests.samples import as_upload, pdf_bytes

    desk = make_officer(UserFactory(officer=True, username="motcua.a"), personas.agency_a, OfficerRole.ONE_STOP)
    procedure = procedure_for(personas.agency_a, components=[{"name": "Tờ khai", "required": True}])
    component = procedure.current_version.components.get()
    dossier = dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=IntakeChannel.IN_PERSON,
        owner=DeskOwner(full_name="Trần Văn Phúc", national_id=CCCD, phone="0912000777"),
        files=[(component.pk, as_upload(pdf_bytes("Tờ khai"), "scan.pdf", "application/pdf"))],
    )
    holder = dossier.applicant
    # Someone started a registration on it (with the dossier's phone) and never confirmed it.
    account_register(
        data=RegistrationData(
            kind=AccountKind.CITIZEN,
            full_name="Ai đó",
            password="Hue@2026-song",
            phone="+84912000777",
            national_id=CCCD,
        )
    )

    outcome = oidc_login_resolve(issuer=ISSUER, claims=_claims(name="Trần Văn Phúc"), national_id_claim="cccd")

    assert outcome.user.pk == holder.pk
    assert not outcome.needs_proof
    user = User.objects.get(pk=holder.pk)
    assert user.is_active
    assert not user.has_usable_password()  # the pending registrant's password is gone
    assert user.full_name == "Trần Văn Phúc"
    assert user.dossiers.get() == dossier
    assert OidcIdentity.objects.get(user=user).subject == "sub-1"
    assert not OneTimeCode.objects.filter(user=user, used_at__isnull=True, invalidated_at__isnull=True).exists()


def test_an_officer_holding_the_cccd_is_not_offered_a_proof() -> None:
    UserFactory(officer=True, national_id=CCCD)
    with pytest.raises(ApplicationError) as caught:
        oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd")
    assert caught.value.code == "oidc_officer"


def test_linking_checks_the_cccd_of_the_account() -> None:
    owner = UserFactory(national_id=CCCD)
    with pytest.raises(ApplicationError) as caught:
        oidc_identity_link(user=owner, issuer=ISSUER, subject="sub-9", national_id="046090009999")
    assert caught.value.code == "oidc_national_id_mismatch"
    assert oidc_identity_link(user=owner, issuer=ISSUER, subject="sub-9", national_id=CCCD, assurance_level="2")


def test_an_account_with_two_identities_and_no_password_may_unlink_one() -> None:
    user = oidc_login_resolve(issuer=ISSUER, claims=_claims(), national_id_claim="cccd").user
    other = oidc_identity_link(user=user, issuer="https://dvcqg.example.vn", subject="s-2", national_id=CCCD)
    oidc_identity_unlink(user=user, identity_id=other.pk)
    assert OidcIdentity.objects.filter(user=user).count() == 1


def test_the_level_the_provider_asserts_is_kept_on_the_identity() -> None:
    user = oidc_login_resolve(issuer=ISSUER, claims=_claims(acr="1"), national_id_claim="cccd").user
    assert OidcIdentity.objects.get(user=user).assurance_level == "1"
    oidc_login_resolve(issuer=ISSUER, claims=_claims(acr="2"), national_id_claim="cccd")
    assert OidcIdentity.objects.get(user=user).assurance_level == "2"
