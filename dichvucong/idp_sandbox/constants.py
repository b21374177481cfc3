"""The sandbox identity provider's tenants (one issuer each, like realms) and its test people."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CODE_TTL_SECONDS = 60
ACCESS_TOKEN_TTL_SECONDS = 300
ID_TOKEN_TTL_SECONDS = 300
# Keys kept in the JWKS: the signing one and the one before it, so tokens signed just before a
# rotation still verify while clients refetch.
PUBLISHED_KEYS = 2


@dataclass(frozen=True)
class Tenant:
    slug: str
    label: str
    national_id_claim: str = "cccd"
    level_claim: str = "acr"


TENANTS: dict[str, Tenant] = {
    "vneid": Tenant("vneid", _("VNeID (thử nghiệm)")),
    "dvcqg": Tenant("dvcqg", _("Cổng Dịch vụ công quốc gia (thử nghiệm)")),
}


@dataclass(frozen=True)
class TestPerson:
    national_id: str
    full_name: str
    birthdate: str  # ISO 8601, as the OIDC birthdate claim
    level: str = "2"  # the identification level the provider asserts (VNeID mức 1 / mức 2)


# CCCD: 3 digits province (046 Huế), 1 century/sex, 2 year of birth, 6 serial (DESIGN §5).
# The first holds the demo citizen account's CCCD: logging in as him shows the proof-of-ownership step.
TEST_PEOPLE: tuple[TestPerson, ...] = (
    TestPerson("046090001234", "Nguyễn Văn An", "1990-05-12"),
    TestPerson("046185000456", "Trần Thị Bình", "1985-11-03"),
    TestPerson("046201000789", "Lê Minh Châu", "2001-07-21"),
    TestPerson("046093004567", "Phạm Thị Dung", "1993-02-09", level="1"),
)
