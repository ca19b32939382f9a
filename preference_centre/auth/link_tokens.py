"""The account's emailed links: a signed, timed token carrying the person's id and a
fingerprint of the state it may change, so a followed link stops working (single use)
without a table of used tokens. One fingerprint and lifetime per kind of link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from .. import tokens
from ..extensions import db
from ..models import Person


def person_from_token(
    purpose: str, token: str, max_age: timedelta, fingerprint: Callable[[Person], str]
) -> Person:
    """The person a token names, if it is genuine, young enough and its state still matches.

    Raises ``tokens.TokenExpired`` or ``tokens.TokenInvalid`` (tampered, unknown, used)."""
    payload = tokens.read_token(purpose, token, max_age)
    if not (isinstance(payload, dict) and isinstance(payload.get("p"), int)
            and isinstance(payload.get("f"), str)):
        raise tokens.TokenInvalid("link is not valid")
    person = db.session.get(Person, payload["p"])
    if person is None or fingerprint(person) != payload["f"]:
        raise tokens.TokenInvalid("link already used or no longer valid")
    return person


def token_for(purpose: str, person: Person, fingerprint: Callable[[Person], str]) -> str:
    """A link token naming ``person`` and the state it may change (single use)."""
    return tokens.make_token(purpose, {"p": person.id, "f": fingerprint(person)})


def verify_fingerprint(person: Person) -> str:
    """Changes when the address is verified or the password is set another way."""
    return tokens.state_fingerprint(
        "verify", person.email_hash, person.status, person.email_verified_at,
        person.password_hash,
        None,  # the dropped pending password's slot: links mailed before still verify
    )


def verify_max_age() -> timedelta:
    return timedelta(hours=current_app.config["VERIFY_TOKEN_HOURS"])


def set_password_fingerprint(person: Person) -> str:
    """Changes when the password or the address changes: the link works once, and never
    for an address the person no longer has."""
    return tokens.state_fingerprint("set-password", person.email_hash, person.password_hash)


def reset_fingerprint(person: Person) -> str:
    """Changes when the password or the address changes: a link sent to an address the
    person has since left must not reset the password."""
    return tokens.state_fingerprint("reset", person.email_hash, person.password_hash)


def reset_max_age() -> timedelta:
    return timedelta(minutes=current_app.config["RESET_TOKEN_MINUTES"])
