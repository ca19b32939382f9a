"""Every signed link: one salt per purpose, lifetimes named in config, opaque ids only.

Timed tokens use ``URLSafeTimedSerializer`` with the app's clock. The two links that are on
every message and opened far more often than the rest use a bare ``Signer`` over a compact
dotted payload instead: several times faster than a serializer and short enough for a text
message. Unsubscribe tokens (``person.channel.topic.message``) never expire; preference
tokens (``person.signed-at``) carry their signing time and are checked against a lifetime.

Keys: ``SECRET_KEY`` signs; every key in ``SECRET_KEY_FALLBACKS`` still verifies, so links
keep working through a key rotation until the old key is retired from the list.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer, want_bytes
from itsdangerous.exc import SignatureExpired
from itsdangerous.signer import HMACAlgorithm

from . import clock

# One salt per purpose: a token made for one purpose never verifies for another.
SALTS = {
    "verify_email": "pc.verify-email.v1",
    "reset_password": "pc.reset-password.v1",
    "set_password": "pc.set-password.v1",
    "change_email": "pc.change-email.v1",
    "preferences": "pc.preferences.v1",  # links made before the compact format
    "preference_link": "pc.preference-link.v2",
    "signup_confirm": "pc.signup-confirm.v1",
    "export_download": "pc.export-download.v1",
    "erase_confirm": "pc.erase-confirm.v1",
    "unsubscribe": "pc.unsubscribe.v1",
    # The receipt shown after an unsubscribe: lets that page undo it or say why.
    "unsubscribe_receipt": "pc.unsubscribe-receipt.v1",
    "staff_setup": "pc.staff-setup.v1",
    "staff_session": "pc.staff-session.v1",  # the staff console's cookie
}


class TokenInvalid(Exception):
    """The token is malformed, tampered with, signed by an unknown key or for another purpose."""


class TokenExpired(TokenInvalid):
    """The signature is good but the token is older than its lifetime."""

    def __init__(self, message: str, payload: Any = None) -> None:
        super().__init__(message)
        self.payload = payload


class _ClockedSerializer(URLSafeTimedSerializer):
    """Signs and checks ages against :func:`clock.utcnow`, so tests can move time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outer_signer = self.signer

        class ClockedSigner(outer_signer):  # type: ignore[misc, valid-type]
            def get_timestamp(self) -> int:
                return int(clock.utcnow().timestamp())

        self.signer = ClockedSigner


def _keys() -> list[str]:
    """Oldest first, as itsdangerous wants: it signs with the last and verifies with all."""
    fallbacks = list(current_app.config.get("SECRET_KEY_FALLBACKS") or [])
    return [*reversed(fallbacks), current_app.config["SECRET_KEY"]]


# (purpose, keys) -> serializer: building one (and its clocked signer class) per call cost as
# much as the signing itself; every message footer makes a preference link.
_serializers: dict[tuple[str, tuple[str, ...]], URLSafeTimedSerializer] = {}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    keys = tuple(_keys())
    found = _serializers.get((purpose, keys))
    if found is None:
        if len(_serializers) > 64:  # keys rotated (or many test apps): start afresh
            _serializers.clear()
        found = _serializers[purpose, keys] = _ClockedSerializer(list(keys),
                                                                 salt=SALTS[purpose])
    return found


def make_token(purpose: str, data: Any) -> str:
    """A signed, timestamped token for ``purpose`` carrying ``data`` (ids, never addresses)."""
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: timedelta | None) -> Any:
    """The data in ``token`` if it was made for ``purpose`` and is younger than ``max_age``."""
    serializer = _serializer(purpose)
    seconds = None if max_age is None else int(max_age.total_seconds())
    try:
        if seconds is None:
            return serializer.loads(token)
        now = int(clock.utcnow().timestamp())
        payload, signed_at = serializer.loads(token, return_timestamp=True)
        if now - int(signed_at.timestamp()) > seconds:
            raise TokenExpired("link expired", payload)
        return payload
    except SignatureExpired as exc:
        raise TokenExpired("link expired", exc.payload) from exc
    except BadSignature as exc:
        raise TokenInvalid("link is not valid") from exc
    except (ValueError, TypeError, UnicodeError) as exc:
        raise TokenInvalid("link is not valid") from exc


def state_fingerprint(*parts: Any) -> str:
    """A short digest of the state a single-use token depends on; once the state moves on
    (password changed, address verified) the token stops matching."""
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# Compact signed links (unsubscribe, preferences) -----------------------------------------------

class _PrecomputedHMAC(HMACAlgorithm):
    """HMAC-SHA1 from a keyed ``hmac`` object made once per key and copied per call (the
    copy skips hashing the key pads again): the same bytes as itsdangerous's default."""

    def __init__(self, keys: list[bytes]) -> None:
        super().__init__(hashlib.sha1)
        self._keyed = {key: hmac.new(key, digestmod=hashlib.sha1) for key in keys}

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        keyed = self._keyed.get(key)
        if keyed is None:
            return hmac.digest(key, value, "sha1")
        mac = keyed.copy()
        mac.update(value)
        return mac.digest()


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _encode(signature: bytes) -> bytes:
    # itsdangerous's base64_encode (URL-safe, unpadded) in C calls only.
    return binascii.b2a_base64(signature, newline=False).translate(_URLSAFE).rstrip(b"=")


class _PrecomputedSigner(Signer):
    """A ``Signer`` that derives each key once instead of on every sign and verify (the
    derivation is a second hash per call) and signs with :class:`_PrecomputedHMAC`. Same
    algorithm, same signatures: existing links stay valid."""

    def __init__(self, secret_keys: list[str], salt: str) -> None:
        super().__init__(secret_keys, salt=salt, digest_method=hashlib.sha1)
        derived = {key: Signer.derive_key(self, key) for key in self.secret_keys}
        # Newest first, as itsdangerous tries them: most links verify on the first.
        self._verify_keys = [derived[key] for key in reversed(self.secret_keys)]
        self.algorithm = self._hmac = _PrecomputedHMAC(self._verify_keys)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        if secret_key is None:
            return self._verify_keys[0]
        return Signer.derive_key(self, secret_key)

    def get_signature(self, value: str | bytes) -> bytes:
        return _encode(self._hmac.get_signature(self._verify_keys[0], want_bytes(value)))

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        # itsdangerous's loop over the keys, comparing the encoded signatures (a link whose
        # signature is not canonical base64 is refused rather than decoded).
        value, sig = want_bytes(value), want_bytes(sig)
        for key in self._verify_keys:  # noqa: SIM110 - a loop, not any(): no generator per call
            if hmac.compare_digest(_encode(self._hmac.get_signature(key, value)), sig):
                return True
        return False


# purpose -> (SECRET_KEY, SECRET_KEY_FALLBACKS, signer) of the last app that asked: rebuilt
# when the keys change. Cheaper per call than an lru_cache keyed on the keys.
_signer_cache: dict[str, tuple[str, list[str], Signer]] = {}


def _compact_signer(purpose: str) -> Signer:
    """Signs with ``SECRET_KEY``; verifies with it and every fallback."""
    config = current_app.config
    key, fallbacks = config["SECRET_KEY"], config.get("SECRET_KEY_FALLBACKS") or []
    cached = _signer_cache.get(purpose)
    if cached is None or cached[0] != key or cached[1] != fallbacks:
        # Oldest first, as itsdangerous wants: it signs with the last.
        signer = _PrecomputedSigner([*reversed(fallbacks), key], salt=SALTS[purpose])
        cached = _signer_cache[purpose] = (key, list(fallbacks), signer)
    return cached[2]


def make_unsubscribe_token(person_id: int, channel: str, topic: str, message_id: int | str) -> str:
    """``topic`` is a topic key (``offers``) or ``*`` for all marketing on the channel;
    ``message_id`` is best a short opaque id (the outbox row id): it is part of the link."""
    if "." in channel or "." in topic:
        raise ValueError("channel and topic cannot contain '.' (the payload separator)")
    payload = f"{int(person_id)}.{channel}.{topic}.{message_id}".encode("ascii")
    return _compact_signer("unsubscribe").sign(payload).decode("ascii")


def read_unsubscribe_token(token: str) -> tuple[int, str, str, str]:
    """(person id, channel, topic, message id) from a valid unsubscribe token."""
    try:
        payload = _compact_signer("unsubscribe").unsign(token.encode("ascii")).decode("ascii")
    except (BadSignature, UnicodeError) as exc:
        raise TokenInvalid("link is not valid") from exc
    parts = payload.split(".", 3)  # the message id may itself contain dots
    if len(parts) != 4 or not parts[0].isdigit():
        raise TokenInvalid("link is not valid")
    return int(parts[0]), parts[1], parts[2], parts[3]


def make_preference_token(person_id: int) -> str:
    """``person.signed-at.signature``, the signing time in base 36 seconds: a third of the
    length of a serializer token and several times faster to verify."""
    signed_at = int(clock.utcnow().timestamp())
    payload = f"{int(person_id)}.{_base36(signed_at)}".encode("ascii")
    return _compact_signer("preference_link").sign(payload).decode("ascii")


def read_preference_token(token: str, max_age: timedelta) -> int:
    """The person id of a preference token younger than ``max_age``. Tokens of the older
    serializer format (``{"p": id}`` under the "preferences" salt) are still accepted until
    they expire. Raises ``TokenExpired`` or ``TokenInvalid``."""
    head = token.partition(".")[0]
    if not head.isdigit() or not head.isascii():
        payload = read_token("preferences", token, max_age)
        person_id = payload.get("p") if isinstance(payload, dict) else None
        if not isinstance(person_id, int):
            raise TokenInvalid("link is not valid")
        return person_id
    try:
        payload = _compact_signer("preference_link").unsign(token.encode("ascii"))
        person, _, signed_at = payload.decode("ascii").partition(".")
        age = int(clock.utcnow().timestamp()) - int(signed_at, 36)
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise TokenInvalid("link is not valid") from exc
    if age > max_age.total_seconds():
        raise TokenExpired("link expired", {"p": int(person)})
    return int(person)


_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS36[rest])
        if not number:
            return "".join(reversed(digits))
