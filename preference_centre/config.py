"""Settings in layers: these defaults, then the secrets generated into ``instance/``, then
``instance/config.py``, then the environment, then the test overrides given to ``create_app``.

Only defaults live here; secrets come from the instance folder or the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

DEFAULTS: dict[str, Any] = {
    "BASE_URL": "http://127.0.0.1:5000",
    "COMPANY_NAME": "Active Connections Group Ltd",
    "SECRET_KEY_FALLBACKS": [],
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 8025,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Active Connections <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,
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
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
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

# Names whose environment value is parsed rather than taken as a string.
_INT_SETTINGS = {
    "MAIL_PORT", "RETENTION_MONTHS", "RETENTION_WARNING_DAYS", "RETENTION_BATCH_SIZE",
    "MAIL_TIMEOUT", "COOKIE_POLICY_REVISION", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_BATCH_SIZE",
    "OUTBOX_RETRY_SECONDS", "OUTBOX_RETRY_MAX_SECONDS", "OUTBOX_CLAIM_TIMEOUT_SECONDS",
    "SIGNUP_CONFIRM_DAYS", "SMS_WEBHOOK_TIMEOUT", "UNVERIFIED_ACCOUNT_DAYS",
    "PREFERENCE_LINK_DAYS", "EXPORT_LINK_DAYS", "RECENT_LOGIN_MINUTES", "SESSION_DAYS",
    "STAFF_IDLE_MINUTES", "STAFF_SETUP_HOURS",
}
_BOOL_SETTINGS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "KEEP_ORDERS_FOR_ACCOUNTING"}
_LIST_SETTINGS = {"SECRET_KEY_FALLBACKS", "DATA_ENCRYPTION_KEYS"}
_STRING_SETTINGS = {
    "DATABASE_URL", "SECRET_KEY", "EMAIL_INDEX_KEY", "BASE_URL", "COMPANY_NAME",
    "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI", "DKIM_PRIVATE_KEY_FILE", "DKIM_SELECTOR", "DKIM_DOMAIN",
    "SMS_WEBHOOK_URL", "SMS_INBOUND_SECRET", "PASSWORD_HASH_METHOD",
    "AUTH_RATE_LIMIT", "LOGIN_EMAIL_RATE_LIMIT", "API_RATE_LIMIT", "STAFF_CODE_RATE_LIMIT",
}
ENVIRONMENT_SETTINGS = _INT_SETTINGS | _BOOL_SETTINGS | _LIST_SETTINGS | _STRING_SETTINGS

SECRETS_FILENAME = "secrets.py"
MIN_SECRET_LENGTH = 32
KNOWN_WEAK_SECRETS = {"dev", "changeme", "secret", "change-me", "development"}


class ConfigError(RuntimeError):
    """The configuration is unsafe or malformed; the app refuses to start."""


def parse_environment(environ: dict[str, str]) -> dict[str, Any]:
    """Settings named in the contract, read from ``environ`` and parsed to their types."""
    found: dict[str, Any] = {}
    for name in ENVIRONMENT_SETTINGS:
        if name not in environ:
            continue
        raw = environ[name]
        if name in _INT_SETTINGS:
            try:
                found[name] = int(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
        elif name in _BOOL_SETTINGS:
            found[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif name in _LIST_SETTINGS:
            found[name] = split_list(raw)
        else:
            found[name] = raw
    return found


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
