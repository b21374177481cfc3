from dichvucong.accounts.models.officer import OfficerProfile, OfficerRoleAssignment
from dichvucong.accounts.models.oidc import OidcIdentity
from dichvucong.accounts.models.otp import OneTimeCode
from dichvucong.accounts.models.session import LoginSession
from dichvucong.accounts.models.user import User

__all__ = ["LoginSession", "OfficerProfile", "OfficerRoleAssignment", "OidcIdentity", "OneTimeCode", "User"]
