"""Every signed link: one salt per purpose, lifetimes named in config, opaque ids only.

Timed tokens use ``URLSafeTimedSerializer`` with the app's clock. The two links that are on
every message and opened far more often than the rest use a bare signer over a compact
dotted payload instead, short enough for a text message: the one-click unsubscribe token
(``person.channel.topic.message``, a ``Signer``: it never expires) and the preference token
(``person.signed-at``, a ``TimestampSigner`` checked against a lifetime).

Keys: ``SECRET_KEY`` signs; every key in ``SECRET_KEY_FALLBACKS`` still verifies, so links
keep working through a key rotation until the old key is retired from the list.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import (
    BadSignature,
    SignatureExpired,
    Signer,
    TimestampSigner,
    URLSafeTimedSerializer,
)

from . import clock

# One salt per purpose: a token made for one purpose never verifies for another.
SALTS = {
    "verify_email": "pc.verify-email.v1",
    "reset_password": "pc.reset-password.v1",
    "set_password": "pc.set-password.v1",
    "change_email": "pc.change-email.v1",
    "preference_link": "pc.preference-link.v3",
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


class ClockedSigner(TimestampSigner):
    """Dates signatures and measures their age by :func:`clock.utcnow`, so tests can move
    time."""

    def get_timestamp(self) -> int:
        return int(clock.utcnow().timestamp())


# Every signer hashes with SHA-1, itsdangerous' default, but named as hashlib's constructor:
# ``hmac`` then runs in C instead of in Python (its default is a Python wrapper), with the
# same signatures, so links already sent keep working.
DIGEST = hashlib.sha1


def _keys() -> list[str]:
    """Oldest first, as itsdangerous wants: it signs with the last and verifies with all."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [*reversed(fallbacks), current_app.config["SECRET_KEY"]]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_keys(), salt=SALTS[purpose], signer=ClockedSigner,
                                  signer_kwargs={"digest_method": DIGEST})


def _seconds(max_age: timedelta | None) -> int | None:
    return None if max_age is None else int(max_age.total_seconds())


def make_token(purpose: str, data: Any) -> str:
    """A signed, timestamped token for ``purpose`` carrying ``data`` (ids, never addresses)."""
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: timedelta | None) -> Any:
    """The data in ``token`` if it was made for ``purpose`` and is younger than ``max_age``."""
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token.encode("ascii"), max_age=_seconds(max_age))
    except SignatureExpired as exc:
        raise TokenExpired("link expired", serializer.load_payload(exc.payload)) from exc
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

# A signer is built per call, from the keys in force: cheaper than looking a kept one up (a
# key rotation then needs nothing else to happen).
_COMPACT_KINDS: dict[str, type[Signer]] = {"unsubscribe": Signer,
                                           "preference_link": ClockedSigner}


def _compact_signer(purpose: str) -> Signer:
    return _COMPACT_KINDS[purpose](_keys(), salt=SALTS[purpose], digest_method=DIGEST)


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
    """``person.signed-at.signature``: a third of the length of a serializer token."""
    return _compact_signer("preference_link").sign(str(int(person_id))).decode("ascii")


def read_preference_token(token: str, max_age: timedelta) -> int:
    """The person id of a preference token younger than ``max_age``. Raises
    ``TokenExpired`` or ``TokenInvalid``."""
    try:
        signer = _compact_signer("preference_link")
        person = signer.unsign(token.encode("ascii"), max_age=_seconds(max_age))
    except SignatureExpired as exc:
        raise TokenExpired("link expired", {"p": _person_id(exc.payload)}) from exc
    except (BadSignature, UnicodeError) as exc:
        raise TokenInvalid("link is not valid") from exc
    return _person_id(person)


def _person_id(payload: Any) -> int:
    if not isinstance(payload, bytes) or not payload.isdigit():
        raise TokenInvalid("link is not valid")
    return int(payload)
