"""One settings module for every environment; environments differ only by environment variables.

Every variable is listed, with its default, in `.env.example` and in the README.
"""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env_bool, env_int, env_list, env_path, env_str

DEBUG = env_bool("DEBUG", default=False)

DATA_DIR = env_path("DATA_DIR", BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)

# A development key is acceptable only while DEBUG is on: a production process without its own
# SECRET_KEY must refuse to start rather than sign sessions with a key that is public on GitHub.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dichvucong.core",
    "dichvucong.agencies",
    "dichvucong.accounts",
    "dichvucong.catalog",
    "dichvucong.documents",
    "dichvucong.workflow",
    "dichvucong.dossiers",
    "dichvucong.notifications",
    "dichvucong.payments",
    "dichvucong.integrity",
    "dichvucong.archive",
    "dichvucong.portal",
    "dichvucong.backoffice",
    "dichvucong.api",
    # django-ninja's templates and static files: the API docs page served from our own origin (no CDN).
    "ninja",
    "dichvucong.interop",
    "dichvucong.idp_sandbox",
    "dichvucong.stats",
    # After our apps so that core/templates/captcha/ overrides its widget template.
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dichvucong.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dichvucong.core.middleware.PortalLocaleMiddleware",
    "dichvucong.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dichvucong.core.middleware.RequestOriginMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dichvucong.accounts.middleware.OfficerTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dichvucong.core.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dichvucong.core.context_processors.portal",
                "dichvucong.notifications.context_processors.unread",
            ],
            # Every template: {% url %} with its answers remembered (core/templatetags/cached_url.py),
            # the portal's filters (|dong, |ngay_gio) and {% memo %} (core/templatetags/memo.py),
            # without a {% load %}.
            "builtins": [
                "dichvucong.core.templatetags.cached_url",
                "dichvucong.core.templatetags.formatting",
                "dichvucong.core.templatetags.memo",
            ],
        },
    },
]
# Django's widget templates, with the <input> widgets written in Python (core/forms_rendering.py).
FORM_RENDERER = "dichvucong.core.forms_rendering.PortalFormRenderer"

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'dichvucong.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DATABASE_URL.startswith("sqlite") else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue on `timeout` instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, and a statement run five times on a connection is prepared:
    # PostgreSQL stops planning the same queries on every request (0.3-0.9 ms each for the look-up,
    # the queues' rows, the officer's profile) and psycopg stops quoting every parameter in Python.
    # Off (0) behind a pooler in transaction mode older than PgBouncer 1.21, where a prepared
    # statement may not be on the server connection the next transaction gets.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or None
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "dichvucong.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must not hold a request (and its worker) until gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # A database table rather than process memory: throttling and OTP limits must hold across the
    # several processes that serve the portal, even on the embedded default.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "dichvucong"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "dichvucong"),
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }
HUEY["consumer"] = {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"}
# The worker records a heartbeat this often; /healthz calls the worker stale after three misses.
HEARTBEAT_INTERVAL_MINUTES = 1
# A finished dossier is listed for archiving (archive_export --due) after this many days.
ARCHIVE_DUE_AFTER_DAYS = env_int("ARCHIVE_DUE_AFTER_DAYS", 90)

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length and character classes are checked by our own validator, whose messages are Vietnamese;
# Django's MinimumLengthValidator has no Vietnamese translation of its message.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dichvucong.accounts.validators.PasswordStrengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["dichvucong.accounts.backends.IdentifierBackend"]
# Login throttling: failures before a lock, and how long the lock lasts.
LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
LOGIN_REMEMBER_DAYS = env_int("LOGIN_REMEMBER_DAYS", 14)
# One-time codes (DESIGN §12): validity, wrong entries allowed, resend spacing and hourly cap.
OTP_VALID_MINUTES = env_int("OTP_VALID_MINUTES", 5)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5)
OTP_RESEND_SECONDS = env_int("OTP_RESEND_SECONDS", 60)
OTP_MAX_PER_HOUR = env_int("OTP_MAX_PER_HOUR", 5)
EMAIL_LINK_VALID_MINUTES = env_int("EMAIL_LINK_VALID_MINUTES", 30)
LOGIN_URL = "/tai-khoan/dang-nhap/"
LOGIN_REDIRECT_URL = "/tai-khoan/"
# Officers must confirm a TOTP code after their password (django-otp); on by default in production.
OFFICER_2FA_REQUIRED = env_bool("OFFICER_2FA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cổng Dịch vụ công")

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True
LANGUAGE_COOKIE_NAME = "dvc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
FILE_UPLOAD_PERMISSIONS = 0o640

_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env_bool("STATIC_MANIFEST", default=not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
S3_BUCKET = env_str("S3_BUCKET") or None
if S3_BUCKET:
    # Optional extra `pip install -e .[s3]`: any S3-compatible store (MinIO, Viettel, VNPT, AWS).
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # An S3 file is read through a temporary file; without a limit django-storages keeps the
            # whole object in memory, for each download, integrity check and archive export alike.
            "max_memory_size": 2_621_440,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {"default": _default_storage, "staticfiles": {"BACKEND": _static_backend}}

# --- E-mail (Django's SMTP backend; the outbox sends through it) ----------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng Dịch vụ công <no-reply@dichvucong.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (outbox, sent by the worker with retries) ---------------------------------------
# SMS_PROVIDER: "outbox" keeps SMS in the development outbox (/admin/notifications/smsoutboxmessage/);
# "http" posts them to an SMS gateway (JSON {to, text, sender}) with basic auth or a bearer token.
SMS_PROVIDER = env_str("SMS_PROVIDER", "outbox")
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_USERNAME = env_str("SMS_HTTP_USERNAME", "")
SMS_HTTP_PASSWORD = env_str("SMS_HTTP_PASSWORD", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
SMS_SENDER = env_str("SMS_SENDER", "")
SMS_ASCII = env_bool("SMS_ASCII", default=False)  # many brandname gateways only take unaccented text
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8)
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 60)
NOTIFICATION_RETRY_MAX_SECONDS = env_int("NOTIFICATION_RETRY_MAX_SECONDS", 3600)

# --- Digital signatures of issued documents (dichvucong.documents.signing, DESIGN §10) -----------
# SIGNING_PROVIDER: "demo" signs with this installation's own test CA, one key per agency, kept in the
# database and encrypted with a key derived from SECRET_KEY (trusted here, nowhere else); "pkcs12"
# signs with the agency certificate of a real CA in SIGNING_PKCS12_PATH (.p12/.pfx), unlocked with
# SIGNING_PKCS12_PASSWORD. SIGNING_TRUST_ROOTS: comma-separated PEM files of further root
# certificates that signatures are verified against (e.g. the national root CA for citizens' files).
SIGNING_PROVIDER = env_str("SIGNING_PROVIDER", "demo")
SIGNING_PKCS12_PATH = env_str("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD = env_str("SIGNING_PKCS12_PASSWORD", "")
SIGNING_TRUST_ROOTS = env_list("SIGNING_TRUST_ROOTS", [])

# --- Payments: gateways (dichvucong.payments.gateways, DESIGN §8) ----------------------------------
# PAYMENT_GATEWAYS: what the citizen may choose, in this order: vnpay, paygov, sandbox. The sandbox is
# the VNPay protocol against this app's own bank pages at /ngan-hang-thu-nghiem/ (no real money); it
# is on only while PAYMENT_SANDBOX_ENABLED, which defaults to DEBUG, and its development TMN code and
# secret exist only when DEBUG. PAYMENT_SANDBOX_IPN_URL empty: the IPN goes to the route
# payments:vnpay_ipn on the host that served the bank page. PAYMENT_SANDBOX_DROP_IPN=1 loses every IPN
# (to try reconciliation). VNPAY_* and PAYGOV_* are issued by the gateway when the contract is signed.
_DEV_PAYMENT_SANDBOX_SECRET = "dev-only-sandbox-bank-secret-not-for-production-0123456789"  # noqa: S105
PAYMENT_GATEWAYS = env_list("PAYMENT_GATEWAYS", ["sandbox"] if DEBUG else [])
PAYMENT_GATEWAY_TIMEOUT = env_int("PAYMENT_GATEWAY_TIMEOUT", 15)
PAYMENT_SANDBOX_ENABLED = env_bool("PAYMENT_SANDBOX_ENABLED", default=DEBUG)
PAYMENT_SANDBOX_TMN_CODE = env_str("PAYMENT_SANDBOX_TMN_CODE", "DVCSBX01" if DEBUG else "")
PAYMENT_SANDBOX_SECRET = env_str("PAYMENT_SANDBOX_SECRET", _DEV_PAYMENT_SANDBOX_SECRET if DEBUG else "")
PAYMENT_SANDBOX_IPN_URL = env_str("PAYMENT_SANDBOX_IPN_URL", "")
PAYMENT_SANDBOX_DROP_IPN = env_bool("PAYMENT_SANDBOX_DROP_IPN", default=False)
VNPAY_TMN_CODE = env_str("VNPAY_TMN_CODE", "")
VNPAY_HASH_SECRET = env_str("VNPAY_HASH_SECRET", "")
VNPAY_PAYMENT_URL = env_str("VNPAY_PAYMENT_URL", "")
VNPAY_API_URL = env_str("VNPAY_API_URL", "")
VNPAY_ORDER_TYPE = env_str("VNPAY_ORDER_TYPE", "other")
PAYGOV_MERCHANT_CODE = env_str("PAYGOV_MERCHANT_CODE", "")
PAYGOV_SECRET = env_str("PAYGOV_SECRET", "")
PAYGOV_PAYMENT_URL = env_str("PAYGOV_PAYMENT_URL", "")
PAYGOV_API_URL = env_str("PAYGOV_API_URL", "")

# --- National portal sync (dichvucong.interop, DESIGN §3, §13) ------------------------------------
# NATIONAL_SYNC_PROVIDER: "national" (the real portal, NATIONAL_SYNC_URL/SECRET/TOKEN/SYSTEM_CODE issued by
# the national side), "sandbox" (this app's receiver at /cong-quoc-gia-thu-nghiem/, on while
# NATIONAL_SANDBOX_ENABLED, default DEBUG) or empty: no sync. NATIONAL_SANDBOX_URL is the absolute URL of
# the sandbox's api/dong-bo-ho-so/ as the worker reaches it.
_DEV_NATIONAL_SANDBOX_SECRET = "dev-only-national-sandbox-secret-not-for-production-0123"  # noqa: S105
NATIONAL_SYNC_PROVIDER = env_str("NATIONAL_SYNC_PROVIDER", "sandbox" if DEBUG else "")
NATIONAL_SYNC_URL = env_str("NATIONAL_SYNC_URL", "")
NATIONAL_SYNC_SECRET = env_str("NATIONAL_SYNC_SECRET", "")
NATIONAL_SYNC_TOKEN = env_str("NATIONAL_SYNC_TOKEN", "")
NATIONAL_SYNC_SYSTEM_CODE = env_str("NATIONAL_SYNC_SYSTEM_CODE", "DVCTINH" if DEBUG else "")
NATIONAL_SYNC_TIMEOUT = env_int("NATIONAL_SYNC_TIMEOUT", 15)
NATIONAL_SYNC_MAX_ATTEMPTS = env_int("NATIONAL_SYNC_MAX_ATTEMPTS", 10)
NATIONAL_SYNC_RETRY_BASE_SECONDS = env_int("NATIONAL_SYNC_RETRY_BASE_SECONDS", 60)
NATIONAL_SYNC_RETRY_MAX_SECONDS = env_int("NATIONAL_SYNC_RETRY_MAX_SECONDS", 3600)
NATIONAL_SYNC_RETRY_BATCH_SIZE = env_int("NATIONAL_SYNC_RETRY_BATCH_SIZE", 100)
NATIONAL_SYNC_SENDING_TIMEOUT_SECONDS = env_int("NATIONAL_SYNC_SENDING_TIMEOUT_SECONDS", 300)
NATIONAL_SANDBOX_ENABLED = env_bool("NATIONAL_SANDBOX_ENABLED", default=DEBUG)
NATIONAL_SANDBOX_SECRET = env_str("NATIONAL_SANDBOX_SECRET", _DEV_NATIONAL_SANDBOX_SECRET if DEBUG else "")
NATIONAL_SANDBOX_URL = env_str(
    "NATIONAL_SANDBOX_URL", "http://127.0.0.1:8000/cong-quoc-gia-thu-nghiem/api/dong-bo-ho-so/"
)


# --- Single sign-on (OpenID Connect, dichvucong.accounts.oidc) -----------------------------------
# One entry per issuer, shown on the login page only when its client id is set. OIDC_<P>_ISSUER is the
# issuer identifier; the endpoints and the JWKS come from its discovery document (OIDC_<P>_DISCOVERY_URL,
# default <issuer>/.well-known/openid-configuration) unless OIDC_<P>_*_ENDPOINT / _JWKS_URI override them.
# OIDC_<P>_CCCD_CLAIM and OIDC_<P>_LEVEL_CLAIM name the claims carrying the CCCD and the identification
# level: verify every claim name against the provider's integration document.
# OIDC_SANDBOX_ENABLED (default DEBUG) serves this app's sandbox identity provider at /idp-thu-nghiem/;
# while DEBUG both providers default to it (development client ids and secrets, as `manage.py demo`
# registers them), so the buttons work offline. In production nothing is configured by default.
OIDC_SANDBOX_ENABLED = env_bool("OIDC_SANDBOX_ENABLED", default=DEBUG)
_OIDC_SANDBOX_BASE = (env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/") + "/idp-thu-nghiem"
_DEV_OIDC_SECRETS = {
    "OIDC_VNEID": "dev-only-vneid-sandbox-client-secret-not-for-production",
    "OIDC_DVCQG": "dev-only-dvcqg-sandbox-client-secret-not-for-production",
}


def _oidc_provider(prefix: str, label: str, sandbox_tenant: str) -> dict[str, object]:
    sandbox = DEBUG and OIDC_SANDBOX_ENABLED
    return {
        "label": label,
        "issuer": env_str(f"{prefix}_ISSUER", f"{_OIDC_SANDBOX_BASE}/{sandbox_tenant}" if sandbox else ""),
        "client_id": env_str(f"{prefix}_CLIENT_ID", f"dichvucong-{sandbox_tenant}-dev" if sandbox else ""),
        "client_secret": env_str(f"{prefix}_CLIENT_SECRET", _DEV_OIDC_SECRETS[prefix] if sandbox else ""),
        "discovery_url": env_str(f"{prefix}_DISCOVERY_URL", ""),
        "authorization_endpoint": env_str(f"{prefix}_AUTHORIZATION_ENDPOINT", ""),
        "token_endpoint": env_str(f"{prefix}_TOKEN_ENDPOINT", ""),
        "jwks_uri": env_str(f"{prefix}_JWKS_URI", ""),
        "userinfo_endpoint": env_str(f"{prefix}_USERINFO_ENDPOINT", ""),
        "token_auth_method": env_str(f"{prefix}_TOKEN_AUTH_METHOD", "client_secret_basic"),
        "scopes": tuple(env_list(f"{prefix}_SCOPES", ["openid", "profile"])),
        "national_id_claim": env_str(f"{prefix}_CCCD_CLAIM", "cccd"),
        "level_claim": env_str(f"{prefix}_LEVEL_CLAIM", "acr"),
        "use_userinfo": env_bool(f"{prefix}_USE_USERINFO", default=True),
    }


OIDC_PROVIDERS = {
    "vneid": _oidc_provider("OIDC_VNEID", "VNeID", "vneid"),
    "dvcqg": _oidc_provider("OIDC_DVCQG", "Cổng Dịch vụ công quốc gia", "dvcqg"),
}
OIDC_HTTP_TIMEOUT = env_int("OIDC_HTTP_TIMEOUT", 10)  # seconds for each call to a provider
OIDC_METADATA_CACHE_SECONDS = env_int("OIDC_METADATA_CACHE_SECONDS", 3600)  # discovery document and JWKS
OIDC_FLOW_MAX_AGE_SECONDS = env_int("OIDC_FLOW_MAX_AGE_SECONDS", 600)  # from the button to the callback

# --- Security -------------------------------------------------------------------------------------
# Secure by default whenever DEBUG is off; each can still be relaxed explicitly (e.g. behind a
# proxy that terminates TLS and already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer or a supervisor probes each app process directly over plain HTTP; a redirect to
# https would read as "down". Nothing else is exempt.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind TRUST_X_FORWARDED_PROTO: how many proxies append to X-Forwarded-For (nginx alone: 1; a load
# balancer in front of nginx: 2). The visitor's address is that many entries from the right.
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 1)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
if REDIS_URL:
    # Sessions read from Redis and written to both: a logged-in page no longer starts with a session
    # query, and a Redis restart only empties the copy. Sessions are ended through the session store
    # (accounts.services.session_end), which removes both; core/sessions.py keeps logged-in pages
    # working on the database while Redis is unreachable (logging in still needs it: docs/operations.md).
    SESSION_ENGINE = "dichvucong.core.sessions"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "dichvucong.core.views.csrf_failure"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Dossier attachments (DESIGN §12) -----------------------------------------------------------
# Sizes in megabytes. Types are detected from the content; the names here are the detector's.
ATTACHMENT_MAX_FILE_MB = env_int("ATTACHMENT_MAX_FILE_MB", 20)
ATTACHMENT_MAX_DOSSIER_MB = env_int("ATTACHMENT_MAX_DOSSIER_MB", 100)
ATTACHMENT_MAX_FILES_PER_COMPONENT = env_int("ATTACHMENT_MAX_FILES_PER_COMPONENT", 10)
ATTACHMENT_MAX_FILES_PER_DOSSIER = env_int("ATTACHMENT_MAX_FILES_PER_DOSSIER", 50)
ATTACHMENT_ALLOWED_TYPES = env_list("ATTACHMENT_ALLOWED_TYPES", ["pdf", "jpeg", "png", "docx", "xlsx", "odt"])
# Django refuses request bodies above this before any view runs; one upload plus the form must fit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Captcha (django-simple-captcha) on the review page and the public look-up ------------------
# CAPTCHA_TEST_MODE accepts "PASSED" as the answer: for automated tests only, never in production.
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", default=False)
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (140, 44)
CAPTCHA_FONT_SIZE = 30
LOOKUP_FREE_TRIES = env_int("LOOKUP_FREE_TRIES", 3)  # look-ups per address per hour before the captcha
# Past this, look-ups from one address get 429 until the hour ends.
LOOKUP_MAX_PER_HOUR = env_int("LOOKUP_MAX_PER_HOUR", 60)
# The public verification page (/xac-thuc/<id>/): copies checked per address per hour, and their size.
VERIFY_UPLOADS_PER_HOUR = env_int("VERIFY_UPLOADS_PER_HOUR", 20)
VERIFY_UPLOAD_MAX_MB = env_int("VERIFY_UPLOAD_MAX_MB", 20)
# Integrity checks (dichvucong.integrity): dossiers and files verified per periodic run.
INTEGRITY_BATCH = env_int("INTEGRITY_BATCH", 2000)

# REST API (/api/v1/): requests per token, or per client address without one ("N/s", "N/m", "N/h").
API_RATE_TOKEN = env_str("API_RATE_TOKEN", "600/m")
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "120/m")

# --- The portal's identity (shown in the banner and footer) ---------------------------------------
PORTAL_NAME = env_str("PORTAL_NAME", "Cổng Dịch vụ công")
PORTAL_PROVINCE = env_str("PORTAL_PROVINCE", "Thành phố Huế")
PORTAL_OPERATOR = env_str("PORTAL_OPERATOR", "Trung tâm Phục vụ hành chính công thành phố Huế")
PORTAL_OWNER = env_str("PORTAL_OWNER", "Ủy ban nhân dân thành phố Huế")
PORTAL_ADDRESS = env_str("PORTAL_ADDRESS", "01 Lê Lai, phường Thuận Hóa, thành phố Huế")
PORTAL_HOTLINE = env_str("PORTAL_HOTLINE", "0234 3 822 222")
PORTAL_EMAIL = env_str("PORTAL_EMAIL", "dichvucong@hue.gov.vn")
# Days after the result is returned during which the applicant may rate the service or change the rating.
SATISFACTION_EDIT_DAYS = env_int("SATISFACTION_EDIT_DAYS", 7)
PORTAL_PROVINCE_CODE = env_int("PORTAL_PROVINCE_CODE", 46)  # vietnam-provinces code, preselected in forms
PORTAL_DEMO = env_bool("PORTAL_DEMO", default=DEBUG)
# The public address, for links sent by e-mail and SMS (no trailing slash).
PORTAL_BASE_URL = (env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every rendering step at INFO: noise, not news.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pyHanko logs every untrusted or broken signature it validates as a warning with a traceback;
        # for citizens' files that is the expected case, and verify_pdf() reports it.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}
