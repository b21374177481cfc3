"""Writes of the accounts domain: registration, one-time codes, login throttling, profile changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.accounts.constants import AccountKind, OtpPurpose
from dichvucong.accounts.models import LoginSession, OidcIdentity, OneTimeCode, User
from dichvucong.core.cache import count_hit
from dichvucong.core.errors import ApplicationError

# ---------------------------------------------------------------------------------------------
# One-time codes
# ---------------------------------------------------------------------------------------------

_OTP_EVENTS = {
    OtpPurpose.REGISTRATION: "otp_registration",
    OtpPurpose.PASSWORD_RESET: "otp_password_reset",
    OtpPurpose.PHONE_CHANGE: "otp_phone_change",
    OtpPurpose.IDENTITY_LINK: "otp_identity_link",
}


def _code_hash(purpose: str, destination: str, code: str) -> str:
    # Keyed: a bare SHA-256 of a 6-digit code is reversed by trying all million codes.
    message = f"{purpose}:{destination}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _local_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def otp_issue(*, purpose: str, destination: str, user: User | None = None, language: str = "vi") -> OneTimeCode:
    """Send a new code to a phone (SMS) or a verification link to an e-mail address.

    Refuses when the previous code to that destination is younger than OTP_RESEND_SECONDS or
    when OTP_MAX_PER_HOUR codes went there within the hour: SMS cost money and can be used to
    harass someone's phone.
    """
    from dichvucong.notifications.services import notification_queue

    now = timezone.now()
    recent = OneTimeCode.objects.filter(destination=destination, created_at__gte=now - dt.timedelta(hours=1))
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.OTP_RESEND_SECONDS:
        wait = settings.OTP_RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise ApplicationError(
            _("Vui lòng đợi %(seconds)s giây rồi bấm Gửi lại mã.") % {"seconds": wait},
            code="otp_too_soon",
            extra={"wait_seconds": wait},
        )
    if recent.count() >= settings.OTP_MAX_PER_HOUR:
        oldest = recent.order_by("created_at").first()
        retry_at = oldest.created_at + dt.timedelta(hours=1)
        raise ApplicationError(
            _("Số điện thoại/thư điện tử này đã nhận %(count)s mã trong một giờ. Vui lòng thử lại sau %(time)s.")
            % {"count": settings.OTP_MAX_PER_HOUR, "time": _local_time(retry_at)},
            code="otp_too_many",
        )
    is_email = "@" in destination
    code = secrets.token_urlsafe(24) if is_email else f"{secrets.randbelow(10**6):06d}"
    minutes = settings.EMAIL_LINK_VALID_MINUTES if is_email else settings.OTP_VALID_MINUTES
    with transaction.atomic():
        OneTimeCode.objects.filter(
            destination=destination, purpose=purpose, used_at__isnull=True, invalidated_at__isnull=True
        ).update(invalidated_at=now)
        otp = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            destination=destination,
            code_hash=_code_hash(purpose, destination, code),
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        context: dict[str, Any] = {
            "code": code,
            "minutes": minutes,
            "full_name": user.full_name if user else "",
            "portal_name": settings.PORTAL_NAME,
        }
        if is_email:
            context["link"] = f"{settings.PORTAL_BASE_URL}/tai-khoan/xac-thuc-email/{otp.pk}/{code}/"
            event, channel = "email_verification", "email"
        else:
            event, channel = _OTP_EVENTS[OtpPurpose(purpose)], "sms"
        notification_queue(
            event=event,
            channel=channel,
            recipient=destination,
            context=context,
            idempotency_key=f"otp:{otp.pk}",
            user=user,
            language=language,
            sensitive=True,
        )
    return otp


def otp_verify(*, purpose: str, destination: str, code: str, otp_id: int | None = None) -> OneTimeCode:
    """Check a code; a wrong one counts against the code, the fifth wrong one kills it."""
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        active = OneTimeCode.objects.select_for_update().filter(
            destination=destination, purpose=purpose, used_at__isnull=True, invalidated_at__isnull=True
        )
        if otp_id is not None:
            active = active.filter(pk=otp_id)
        otp = active.order_by("-created_at").first()
        if otp is None:
            raise ApplicationError(
                _("Mã xác thực không đúng hoặc đã được sử dụng. Vui lòng bấm Gửi lại mã."), code="otp_missing"
            )
        if otp.expires_at <= now:
            raise ApplicationError(_("Mã xác thực đã hết hạn. Vui lòng bấm Gửi lại mã."), code="otp_expired")
        if not hmac.compare_digest(otp.code_hash, _code_hash(purpose, destination, code)):
            otp.attempts += 1
            fields = ["attempts"]
            if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
                otp.invalidated_at = now
                fields.append("invalidated_at")
            otp.save(update_fields=fields)
            remaining = settings.OTP_MAX_ATTEMPTS - otp.attempts
            if remaining <= 0:
                message = _("Bạn đã nhập sai %(count)s lần, mã OTP đã bị hủy. Vui lòng bấm Gửi lại mã.") % {
                    "count": settings.OTP_MAX_ATTEMPTS
                }
                error = ApplicationError(message, code="otp_locked")
            else:
                error = ApplicationError(
                    _("Mã OTP không đúng. Bạn còn %(count)s lần thử.") % {"count": remaining}, code="otp_wrong"
                )
        else:
            otp.used_at = now
            otp.save(update_fields=["used_at"])
            return otp
    # Raised outside the transaction so the wrong-attempt counter is committed, not rolled back.
    raise error


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    kind: str
    full_name: str
    password: str
    phone: str  # normalised +84…
    email: str = ""
    national_id: str | None = None
    tax_code: str | None = None
    date_of_birth: dt.date | None = None
    sex: str = ""
    representative_name: str = ""
    representative_national_id: str = ""
    province_code: int | None = None
    ward_code: int | None = None
    street_address: str = ""
    verify_by: str = "sms"  # or "email"
    language: str = "vi"


def _identity_query(data: RegistrationData) -> Q:
    query = Q(phone=data.phone)
    if data.national_id:
        query |= Q(national_id=data.national_id)
    if data.tax_code:
        query |= Q(tax_code=data.tax_code)
    return query


def registration_conflicts(data: RegistrationData) -> set[str]:
    """Which identifiers already belong to an active account (pending, never-verified ones don't
    count: whoever owns the phone or ID may register again and take the pending one's place)."""
    taken: set[str] = set()
    for user in User.objects.filter(_identity_query(data), is_active=True).only("phone", "national_id", "tax_code"):
        if user.phone == data.phone:
            taken.add("phone")
        if data.national_id and user.national_id == data.national_id:
            taken.add("national_id")
        if data.tax_code and user.tax_code == data.tax_code:
            taken.add("tax_code")
    return taken


def _desk_account_to_claim(data: RegistrationData, pending: Any) -> User | None:
    """The unverified account the one-stop desk opened for this CCCD, when this registration may take it over.

    The desk ties a dossier brought on paper to an account with the owner's CCCD (dossiers.services.
    desk_applicant_for). Its owner takes it, with its dossiers, by registering with that CCCD and the
    phone written on those dossiers, which the activation code then proves. Anyone else is refused:
    the dossiers are never handed to another person, nor deleted with a pending registration.
    """
    held = list(pending.filter(dossiers__isnull=False).distinct())
    if not held:
        return None
    phones = set(User.objects.filter(pk__in=[u.pk for u in held]).values_list("dossiers__owner_phone", flat=True)) - {
        ""
    }
    if len(held) == 1 and data.national_id and held[0].national_id == data.national_id and data.phone in phones:
        return held[0]
    raise ApplicationError(
        _(
            "Số CCCD hoặc số điện thoại này gắn với hồ sơ đã nộp tại Bộ phận Một cửa. Vui lòng đăng ký bằng "
            "đúng số CCCD và số điện thoại đã khai trên hồ sơ, hoặc liên hệ Bộ phận Một cửa."
        ),
        code="desk_account",
    )


def account_register(*, data: RegistrationData) -> tuple[User, OneTimeCode]:
    """Create the account inactive and send the code that activates it."""
    if registration_conflicts(data):
        raise ApplicationError(_("Thông tin đăng ký đã được sử dụng cho một tài khoản khác."), code="duplicate")
    destination = data.email.lower() if data.verify_by == "email" else data.phone
    with transaction.atomic():
        pending = User.objects.filter(
            _identity_query(data),
            is_active=False,
            phone_verified_at__isnull=True,
            email_verified_at__isnull=True,
            last_login__isnull=True,
        )
        user = _desk_account_to_claim(data, pending)
        pending.exclude(dossiers__isnull=False).exclude(pk=getattr(user, "pk", None)).delete()
        user = user or User()
        for name, value in {
            "username": data.national_id or data.tax_code or data.phone,
            "kind": data.kind,
            "full_name": data.full_name,
            "email": data.email.lower(),
            "phone": data.phone,
            "national_id": data.national_id or None,
            "tax_code": data.tax_code or None,
            "date_of_birth": data.date_of_birth,
            "sex": data.sex,
            "representative_name": data.representative_name,
            "representative_national_id": data.representative_national_id,
            "province_code": data.province_code,
            "ward_code": data.ward_code,
            "street_address": data.street_address,
            "language": data.language,
            "is_active": False,
        }.items():
            setattr(user, name, value)
        user.set_password(data.password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:  # a concurrent registration with the same identifiers won
            raise ApplicationError(
                _("Thông tin đăng ký đã được sử dụng cho một tài khoản khác."), code="duplicate"
            ) from exc
        otp = otp_issue(purpose=OtpPurpose.REGISTRATION, destination=destination, user=user, language=data.language)
    return user, otp


def account_activate(*, user: User, code: str, otp_id: int | None = None) -> User:
    destination = _registration_destination(user, otp_id)
    by_email = "@" in destination
    otp_verify(purpose=OtpPurpose.REGISTRATION, destination=destination, code=code, otp_id=otp_id)
    from dichvucong.notifications.services import notification_queue

    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if registration_conflicts(_as_registration(locked)):
            raise ApplicationError(_("Thông tin đăng ký đã được sử dụng cho một tài khoản khác."), code="duplicate")
        locked.is_active = True
        fields = ["is_active"]
        if by_email:
            locked.email_verified_at = now
            fields.append("email_verified_at")
        else:
            locked.phone_verified_at = now
            fields.append("phone_verified_at")
        locked.save(update_fields=fields)
        context = {"full_name": locked.full_name, "portal_name": settings.PORTAL_NAME}
        notification_queue(
            event="account_created",
            channel="in_app",
            recipient=str(locked.pk),
            context=context,
            idempotency_key=f"account_created:{locked.pk}:in_app",
            user=locked,
            language=locked.language,
        )
        if locked.email:
            notification_queue(
                event="account_created",
                channel="email",
                recipient=locked.email,
                context=context,
                idempotency_key=f"account_created:{locked.pk}:email",
                user=locked,
                language=locked.language,
            )
    return locked


def _registration_destination(user: User, otp_id: int | None) -> str:
    if otp_id is not None:
        otp = OneTimeCode.objects.filter(pk=otp_id, user=user).only("destination").first()
        if otp:
            return otp.destination
    return user.phone or user.email


def _as_registration(user: User) -> RegistrationData:
    return RegistrationData(
        kind=user.kind,
        full_name=user.full_name,
        password="",
        phone=user.phone or "",
        national_id=user.national_id,
        tax_code=user.tax_code,
    )


# ---------------------------------------------------------------------------------------------
# Login throttling
# ---------------------------------------------------------------------------------------------


def _throttle_keys(identifier: str, address: str | None) -> list[tuple[str, int]]:
    account = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login:acct:{account}", settings.LOGIN_MAX_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((f"login:addr:{address}", settings.LOGIN_MAX_FAILURES_PER_ADDRESS))
    return keys


def login_locked_until(*, identifier: str, address: str | None) -> dt.datetime | None:
    until = [cache.get(f"{key}:lock") for key, _limit in _throttle_keys(identifier, address)]
    until = [u for u in until if u is not None and u > timezone.now()]
    return max(until) if until else None


def login_failure_record(*, identifier: str, address: str | None) -> dt.datetime | None:
    """Count a failure; return when the lock ends if this failure locked the account or address."""
    lock_seconds = settings.LOGIN_LOCK_MINUTES * 60
    locked_until = None
    for key, limit in _throttle_keys(identifier, address):
        count = count_hit(key, timeout=lock_seconds)
        if count >= limit:
            locked_until = timezone.now() + dt.timedelta(seconds=lock_seconds)
            cache.set(f"{key}:lock", locked_until, timeout=lock_seconds)
            cache.delete(key)
    return locked_until


def login_success_reset(*, identifier: str) -> None:
    key, _limit = _throttle_keys(identifier, None)[0]
    cache.delete_many([key, f"{key}:lock"])


def login_locked_message(until: dt.datetime) -> str:
    return _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút (lúc %(time)s).") % {
        "minutes": max(1, math.ceil((until - timezone.now()).total_seconds() / 60)),
        "time": _local_time(until),
    }


# ---------------------------------------------------------------------------------------------
# Sessions, profile, password, data
# ---------------------------------------------------------------------------------------------


def login_session_record(*, user: User, session_key: str, ip_address: str | None, user_agent: str) -> LoginSession:
    session, _created = LoginSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip_address": ip_address,
            "user_agent": user_agent[:255],
            "last_seen_at": timezone.now(),
        },
    )
    return session


def login_session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key changed (cycle_key after two-factor, a password change), so that
    "end this session" still reaches it and housekeeping does not drop its row as orphaned."""
    if old_key and new_key and old_key != new_key:
        LoginSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_end(session_key: str) -> None:
    """End a login session wherever the session engine keeps it (the database, and Redis's copy
    with `cached_db`): deleting the Session row alone would leave the cached copy logged in."""
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)


def login_session_end(*, user: User, session_id: int) -> None:
    session = LoginSession.objects.filter(pk=session_id, user=user).first()
    if session is None:
        raise ApplicationError(_("Không tìm thấy phiên đăng nhập."), code="not_found")
    session_end(session.session_key)
    session.delete()


def login_sessions_end_others(*, user: User, keep_session_key: str) -> int:
    others = LoginSession.objects.filter(user=user).exclude(session_key=keep_session_key)
    for key in others.values_list("session_key", flat=True):
        session_end(key)
    return others.delete()[0]


PROFILE_FIELDS = (
    "full_name",
    "email",
    "date_of_birth",
    "sex",
    "representative_name",
    "representative_national_id",
    "province_code",
    "ward_code",
    "street_address",
)


def profile_update(*, user: User, **changes: Any) -> User:
    fields = [name for name in PROFILE_FIELDS if name in changes and getattr(user, name) != changes[name]]
    for name in fields:
        setattr(user, name, changes[name])
    if "email" in fields:
        user.email = (user.email or "").lower()
        user.email_verified_at = None
        fields.append("email_verified_at")
    if fields:
        user.save(update_fields=fields)
    return user


def phone_change_request(*, user: User, new_phone: str) -> OneTimeCode:
    if User.objects.filter(phone=new_phone, is_active=True).exclude(pk=user.pk).exists():
        raise ApplicationError(_("Số điện thoại này đã được dùng cho một tài khoản khác."), code="duplicate")
    return otp_issue(purpose=OtpPurpose.PHONE_CHANGE, destination=new_phone, user=user, language=user.language)


def phone_change_confirm(*, user: User, new_phone: str, code: str) -> User:
    otp_verify(purpose=OtpPurpose.PHONE_CHANGE, destination=new_phone, code=code)
    with transaction.atomic():
        if User.objects.filter(phone=new_phone, is_active=True).exclude(pk=user.pk).exists():
            raise ApplicationError(_("Số điện thoại này đã được dùng cho một tài khoản khác."), code="duplicate")
        user.phone = new_phone
        user.phone_verified_at = timezone.now()
        user.save(update_fields=["phone", "phone_verified_at"])
    return user


def password_reset_request(*, phone: str) -> None:
    """Send a reset code if an active account has this phone; say nothing either way."""
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        return
    otp_issue(purpose=OtpPurpose.PASSWORD_RESET, destination=phone, user=user, language=user.language)


def password_reset_confirm(*, phone: str, code: str, new_password: str) -> User:
    otp = otp_verify(purpose=OtpPurpose.PASSWORD_RESET, destination=phone, code=code)
    user = User.objects.get(pk=otp.user_id)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # A reset means the old password may be known to someone else: end every session.
    login_sessions_end_others(user=user, keep_session_key="")
    return user


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about the account, for the "download my data" button."""
    from dichvucong.core.addresses import format_address

    return {
        "tai_khoan": {
            "ten_dang_nhap": user.username,
            "loai": user.kind,
            "ho_ten": user.full_name,
            "cccd": user.national_id,
            "ma_so_thue": user.tax_code,
            "so_dien_thoai": user.phone,
            "thu_dien_tu": user.email,
            "ngay_sinh": user.date_of_birth.isoformat() if user.date_of_birth else None,
            "gioi_tinh": user.sex,
            "nguoi_dai_dien": user.representative_name,
            "cccd_nguoi_dai_dien": user.representative_national_id,
            "dia_chi": format_address(user.street_address, user.ward_code, user.province_code),
            "ngay_dang_ky": user.date_joined.isoformat(),
            "xac_thuc_dien_thoai_luc": user.phone_verified_at.isoformat() if user.phone_verified_at else None,
            "xac_thuc_thu_dien_tu_luc": user.email_verified_at.isoformat() if user.email_verified_at else None,
        },
        "phien_dang_nhap": [
            {
                "bat_dau": s.created_at.isoformat(),
                "gan_nhat": s.last_seen_at.isoformat(),
                "ip": s.ip_address,
                "trinh_duyet": s.user_agent,
            }
            for s in user.login_sessions.all()
        ],
    }


def housekeeping_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired sessions, login rows whose session is gone, and codes older than a day.

    Codes are kept a day (not deleted at expiry) because the hourly resend limit counts them.
    """
    now = now or timezone.now()
    sessions = Session.objects.filter(expire_date__lt=now).delete()[0]
    live = Session.objects.values("session_key")
    logins = LoginSession.objects.exclude(session_key__in=live).delete()[0]
    codes = OneTimeCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()[0]
    return {"sessions": sessions, "login_sessions": logins, "codes": codes}


@dataclass(frozen=True)
class OidcLoginOutcome:
    """Who a verified electronic identity logs in as; needs_proof: an existing account the person must prove first."""

    user: User
    needs_proof: bool = False


def _claim_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _claim_national_id(claims: dict[str, Any], national_id_claim: str) -> str:
    national_id = str(claims.get(national_id_claim) or "").strip()
    if not (len(national_id) == 12 and national_id.isdigit()):
        raise ApplicationError(
            _("Nhà cung cấp định danh không gửi số CCCD hợp lệ. Vui lòng đăng nhập bằng mật khẩu."),
            code="oidc_no_national_id",
        )
    return national_id


def _refuse_officer(user: User) -> None:
    # Officers keep one door: password + TOTP (OFFICER_2FA_REQUIRED). A citizen identity provider
    # says nothing about a person's role at an agency, so it never opens an officer account.
    if user.kind == AccountKind.OFFICER or user.is_staff or user.is_superuser:
        raise ApplicationError(
            _("Tài khoản cán bộ đăng nhập bằng mật khẩu và mã xác thực hai lớp."), code="oidc_officer"
        )


def _never_verified(user: User) -> bool:
    return user.phone_verified_at is None and user.email_verified_at is None and user.last_login is None


def oidc_login_resolve(
    *, issuer: str, claims: dict[str, Any], national_id_claim: str, level_claim: str = "acr"
) -> OidcLoginOutcome:
    """The account for verified ID token claims, by the linking rules.

    An identity already linked logs in as its account. Otherwise the CCCD decides: an active account
    holding it is never merged silently (the person proves control of it, then oidc_identity_link);
    the inactive account the one-stop desk opened for this CCCD is taken over with its dossiers (the
    provider has proven the CCCD, which is what registration asks the desk phone for); a registration
    never verified does not block the real owner (it is removed, as account_register does); with no
    account, a citizen account is created from the claims, verified by the provider.
    Officers never log in through SSO: their password and TOTP rules stay the only door.
    """
    subject = str(claims["sub"])
    level = str(claims.get(level_claim) or "")[:32]
    linked = OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if linked is not None:
        user = linked.user
        if not user.is_active:
            raise ApplicationError(_("Tài khoản liên kết với định danh này đã bị khóa."), code="oidc_inactive")
    else:
        national_id = _claim_national_id(claims, national_id_claim)
        existing = User.objects.filter(national_id=national_id).first()
        if existing is not None and existing.is_active:
            _refuse_officer(existing)
            return OidcLoginOutcome(user=existing, needs_proof=True)
        with transaction.atomic():
            if existing is not None:
                if not _never_verified(existing) or existing.kind != AccountKind.CITIZEN:
                    raise ApplicationError(
                        _("Tài khoản có số CCCD này đã bị khóa. Vui lòng liên hệ bộ phận hỗ trợ."),
                        code="oidc_inactive",
                    )
                if existing.dossiers.exists():
                    user = _oidc_desk_account_take_over(existing, claims=claims)
                else:
                    existing.delete()
                    user = _oidc_citizen_create(national_id=national_id, claims=claims)
            else:
                user = _oidc_citizen_create(national_id=national_id, claims=claims)
            OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject, assurance_level=level)
    _refuse_officer(user)
    fields: dict[str, Any] = {"last_used_at": timezone.now()}
    if level:
        fields["assurance_level"] = level
    OidcIdentity.objects.filter(issuer=issuer, subject=subject).update(**fields)
    return OidcLoginOutcome(user=user)


def _oidc_desk_account_take_over(user: User, *, claims: dict[str, Any]) -> User:
    """Activate the desk's account for its proven owner. Whatever a pending registration set on it
    (a password, codes on their way) is dropped: only the provider's proof of the CCCD counts."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.is_active = True
    locked.full_name = str(claims.get("name") or locked.full_name)[:255]
    locked.date_of_birth = _claim_date(claims.get("birthdate")) or locked.date_of_birth
    locked.set_unusable_password()
    locked.save(update_fields=["is_active", "full_name", "date_of_birth", "password"])
    OneTimeCode.objects.filter(user=locked, used_at__isnull=True, invalidated_at__isnull=True).update(
        invalidated_at=timezone.now()
    )
    return locked


def _oidc_citizen_create(*, national_id: str, claims: dict[str, Any]) -> User:
    email = str(claims.get("email") or "").strip().lower()
    phone = str(claims.get("phone_number") or "").strip()
    if phone and User.objects.filter(phone=phone).exists():
        phone = ""  # the number belongs to another account; the citizen can add theirs later
    user = User(
        username=national_id,
        kind=AccountKind.CITIZEN,
        full_name=str(claims.get("name") or "")[:255],
        national_id=national_id,
        date_of_birth=_claim_date(claims.get("birthdate")),
        email=email if claims.get("email_verified") else "",
        phone=phone or None,
        is_active=True,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same person's first login in two tabs at once; the other one won
        raise ApplicationError(
            _("Không tạo được tài khoản. Vui lòng thử đăng nhập lại."), code="oidc_conflict"
        ) from exc
    return user


def oidc_identity_link(
    *, user: User, issuer: str, subject: str, national_id: str | None = None, assurance_level: str = ""
) -> OidcIdentity:
    """Link an identity to an account whose control the person has just proven (password, OTP, or being
    logged in). With `national_id` (the identity's CCCD claim), it must be the account's own CCCD."""
    _refuse_officer(user)
    if national_id is not None and user.national_id != national_id:
        raise ApplicationError(
            _("Số CCCD của định danh điện tử không khớp với số CCCD của tài khoản này."),
            code="oidc_national_id_mismatch",
        )
    try:
        with transaction.atomic():
            return OidcIdentity.objects.create(
                user=user, issuer=issuer, subject=subject, assurance_level=assurance_level[:32]
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("Định danh điện tử này đã được liên kết với một tài khoản khác."), code="oidc_already_linked"
        ) from exc


def oidc_identity_unlink(*, user: User, identity_id: int) -> None:
    """Unlink, unless it is the last way into an account without a usable password."""
    with transaction.atomic():
        identities = list(OidcIdentity.objects.select_for_update().filter(user=user))
        identity = next((i for i in identities if i.pk == identity_id), None)
        if identity is None:
            raise ApplicationError(_("Không tìm thấy định danh liên kết."), code="not_found")
        if not user.has_usable_password() and len(identities) == 1:
            raise ApplicationError(
                _("Hãy đặt mật khẩu trước khi hủy liên kết, để vẫn đăng nhập được."), code="oidc_last_login_method"
            )
        identity.delete()
