"""Settings in layers: these defaults, then the secrets generated into ``instance/``, then
``instance/config.py``, then the environment, then the test overrides given to ``create_app``.

Only defaults live here; secrets come from the instance folder or the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

DEFAULTS: dict[str, Any] = {
    # Generated into instance/secrets.py on first start unless set (see check_secrets).
    "SECRET_KEY": None,
    "EMAIL_INDEX_KEY": None,
    "DATA_ENCRYPTION_KEYS": [],
    # Unset: sqlite:///<instance>/preference_centre.db (see create_app).
    "DATABASE_URL": None,
    "BASE_URL": "http://127.0.0.1:5000",
    "COMPANY_NAME": "Active Connections Group Ltd",
    # The controller's postal address and privacy contact, named in the privacy notice
    # (UK GDPR Art 13(1)(a)); set the registered office and a monitored mailbox.
    "COMPANY_ADDRESS": "Data Protection, Active Connections Group Ltd, United Kingdom",
    "PRIVACY_CONTACT_EMAIL": "privacy@localhost",
    "SECRET_KEY_FALLBACKS": [],
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 8025,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Active Connections <no-reply@localhost>",
    "MAIL_TIMEOUT": 10.0,  # seconds; fractions allowed
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RETENTION_MONTHS": 36,
    "RETENTION_WARNING_DAYS": 30,
    # 400 keeps each SQLite write transaction short enough that one-click writers wait < 100 ms.
    "RETENTION_BATCH_SIZE": 400,
    "DKIM_PRIVATE_KEY_FILE": None,
    "DKIM_SELECTOR": None,
    "DKIM_DOMAIN": None,
    "SMS_WEBHOOK_URL": None,
    "SMS_INBOUND_SECRET": None,
    # Partners for ``sharing:<key>``: a list of {"key", "name", "receives"}; none by default.
    "SHARING_PARTNERS": [],
    "KEEP_ORDERS_FOR_ACCOUNTING": True,
    "PASSWORD_HASH_METHOD": "scrypt:65536:8:1",
    "UNVERIFIED_ACCOUNT_DAYS": 7,
    "VERIFY_TOKEN_HOURS": 48,
    "RESET_TOKEN_MINUTES": 60,
    "PREFERENCE_LINK_DAYS": 30,
    "EXPORT_LINK_DAYS": 7,
    "RECENT_LOGIN_MINUTES": 10,
    "SESSION_DAYS": 14,
    "COOKIE_POLICY_REVISION": 1,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Options set here win over the defaults of database.engine_options() (how pooled
    # connections are checked, keepalives).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_BATCH_SIZE": 100,
    "OUTBOX_RETRY_SECONDS": 60,
    "OUTBOX_RETRY_MAX_SECONDS": 6 * 3600,
    "OUTBOX_CLAIM_TIMEOUT_SECONDS": 300,
    "SIGNUP_CONFIRM_DAYS": 7,
    "SMS_WEBHOOK_TIMEOUT": 10,
    "AUTH_RATE_LIMIT": "10 per minute; 50 per hour",
    "LOGIN_EMAIL_RATE_LIMIT": "5 per minute; 30 per hour",
    "API_RATE_LIMIT": "600 per minute",
    # Staff console: sessions end after this long without a request; set-up links last
    # this long; codes from an authenticator or recovery codes per sign-in and per network.
    "STAFF_IDLE_MINUTES": 15,
    "STAFF_SETUP_HOURS": 24,
    "STAFF_CODE_RATE_LIMIT": "5 per minute; 20 per hour",
}

# The environment may set any name of DEFAULTS; its value is parsed to the type of the
# default (see parse_environment), so a new setting is declared once, above. Two exceptions:
# settings whose default is None but are not strings, and structured settings, which have
# no sensible spelling in one environment variable and are set in instance/config.py.
_NONE_DEFAULT_TYPES: dict[str, type] = {
    "WTF_CSRF_TIME_LIMIT": int,  # seconds a CSRF token lasts; None (the default) is forever
}
_NOT_FROM_ENVIRONMENT = {"SHARING_PARTNERS", "SQLALCHEMY_ENGINE_OPTIONS"}
_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}

SECRETS_FILENAME = "secrets.py"
MIN_SECRET_LENGTH = 32
KNOWN_WEAK_SECRETS = {"dev", "changeme", "secret", "change-me", "development"}


class ConfigError(RuntimeError):
    """The configuration is unsafe or malformed; the app refuses to start."""


def parse_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings of DEFAULTS found in ``environ``, each parsed to its default's type;
    :class:`ConfigError` naming the variable for a value that does not parse."""
    return {name: parse_value(name, environ[name], DEFAULTS[name])
            for name in DEFAULTS
            if name in environ and name not in _NOT_FROM_ENVIRONMENT}


def parse_value(name: str, raw: str, default: Any) -> Any:
    """``raw`` as the type of ``default``: a boolean word, a whole number, a number, a
    comma-separated list, or (for a string or None default) the text itself."""
    kind = _NONE_DEFAULT_TYPES.get(name, str) if default is None else type(default)
    if kind is bool:  # before int: a bool is an int too
        word = raw.strip().lower()
        if word not in _TRUE_WORDS | _FALSE_WORDS:
            raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off, "
                              f"not {raw!r}")
        return word in _TRUE_WORDS
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if kind in (list, tuple):
        return kind(split_list(raw))
    if kind is str:
        return raw
    raise ConfigError(f"{name} cannot be set from the environment; set it in "
                      "instance/config.py")


def database_url(value: str) -> str:
    """``value`` with a driver-less PostgreSQL URL pointed at psycopg 3, the driver this
    project installs: hosts hand out ``postgres://`` and ``postgresql://``, which SQLAlchemy
    would otherwise refuse (``postgres``) or send to psycopg2, which is not installed."""
    for scheme in ("postgres://", "postgresql://"):
        if value.startswith(scheme):
            return "postgresql+psycopg://" + value[len(scheme):]
    return value


def split_list(value: Any) -> list[str]:
    """A comma-separated string (or a list already) as a list of non-empty items."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]


def ensure_instance_secrets(instance_path: str) -> Path:
    """Create ``instance/secrets.py`` with fresh keys on first start, readable by owner only."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRETS_FILENAME
    if not path.exists():
        content = (
            "# Generated on first start. Keep this file private (mode 0600) and backed up:\n"
            "# losing DATA_ENCRYPTION_KEYS makes encrypted personal fields unreadable.\n"
            f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
            f"DATA_ENCRYPTION_KEYS = [{Fernet.generate_key().decode()!r}]\n"
            f"EMAIL_INDEX_KEY = {secrets.token_urlsafe(48)!r}\n"
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
    return path


def check_secrets(config: dict[str, Any]) -> None:
    """Refuse short or well-known secrets, and missing encryption keys."""
    if config.get("TESTING"):
        return
    for name in ("SECRET_KEY", "EMAIL_INDEX_KEY"):
        value = str(config.get(name) or "")
        if len(value) < MIN_SECRET_LENGTH or value.lower() in KNOWN_WEAK_SECRETS:
            raise ConfigError(
                f"{name} is missing, short or a known default; set a random value of at "
                f"least {MIN_SECRET_LENGTH} characters (or delete instance/{SECRETS_FILENAME} "
                "to have one generated)"
            )
    if not config.get("DATA_ENCRYPTION_KEYS"):
        raise ConfigError("DATA_ENCRYPTION_KEYS is empty; personal fields cannot be encrypted")
