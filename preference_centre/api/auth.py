"""API keys: shown once when created, stored only as a SHA-256 hash and a short prefix,
presented by other systems as ``Authorization: Bearer <key>``.

A key is 256 random bits, so a plain SHA-256 (not a slow password hash) is enough: nobody can
guess a key from its hash, and a lookup by hash costs one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_limiter.util import get_remote_address

from .. import clock
from ..extensions import db
from ..models import ApiKey

KEY_LABEL = "pck_"  # makes a leaked key recognisable to secret scanners
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 200
MAX_NAME_LENGTH = 80
# Recording every use would turn each read into a write; once a minute is enough to see
# which keys are alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key could not be created or revoked; the message says why in one line."""


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_api_key(name: str) -> tuple[ApiKey, str]:
    """A new key for the system called ``name``: the row and the raw key (shown once only).
    The caller commits."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ApiKeyError(f"The name must be 1 to {MAX_NAME_LENGTH} characters.")
    raw = KEY_LABEL + secrets.token_urlsafe(32)
    key = ApiKey(name=name, key_prefix=raw[:PREFIX_LENGTH], key_hash=hash_key(raw),
                 created_at=clock.utcnow())
    db.session.add(key)
    db.session.flush()
    return key, raw


def revoke_api_key(prefix: str) -> ApiKey:
    """Revoke the live key starting with ``prefix``. The caller commits."""
    prefix = prefix.strip()
    if len(prefix) < PREFIX_LENGTH:
        raise ApiKeyError(f"Give the key's {PREFIX_LENGTH}-character prefix, as listed.")
    matches = db.session.execute(
        db.select(ApiKey).where(ApiKey.key_prefix == prefix[:PREFIX_LENGTH],
                                ApiKey.revoked_at.is_(None))
    ).scalars().all()
    if not matches:
        raise ApiKeyError(f"No live API key has the prefix {prefix[:PREFIX_LENGTH]}.")
    if len(matches) > 1:
        raise ApiKeyError("Several live keys share that prefix; revoke them by name instead.")
    matches[0].revoked_at = clock.utcnow()
    return matches[0]


def list_api_keys() -> list[ApiKey]:
    return list(db.session.execute(db.select(ApiKey).order_by(ApiKey.id)).scalars())


def find_live_key(raw: str) -> ApiKey | None:
    """The live key whose hash matches ``raw``, or None."""
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    return db.session.execute(
        db.select(ApiKey).where(ApiKey.key_hash == hash_key(raw), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()


def bearer_token(header: str | None) -> str | None:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def key_from_request() -> ApiKey | None:
    """The live key presented with this request, looked up once per request. Kept in the
    request's environ, not ``g``: an app context (and its ``g``) can outlive one request."""
    slot = "preference_centre.api_key"
    if slot not in request.environ:
        raw = bearer_token(request.headers.get("Authorization")) or ""
        request.environ[slot] = find_live_key(raw)
    return request.environ[slot]


def note_use(key: ApiKey) -> bool:
    """Record that the key was used (at most once a minute). True if it changed the key;
    the caller commits."""
    now = clock.utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        return True
    return False


def rate_limit_key() -> str:
    """Flask-Limiter's key: the key's prefix once the key is known to be real (so a caller
    cannot spend another system's allowance by quoting its prefix), otherwise the address."""
    key = key_from_request()
    return f"api-key:{key.key_prefix}" if key is not None else f"ip:{get_remote_address()}"


def rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])
