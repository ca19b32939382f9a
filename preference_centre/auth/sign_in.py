"""Checking an email and password at sign-in. Unknown address and wrong password look the
same and take the same time."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Person
from ..passwords import decoy_hash, hash_secret, needs_rehash, verify_secret
from ..people import find_person_by_email
from .registration import awaits_verification


@dataclass(frozen=True)
class SignInCheck:
    outcome: str  # "ok", "pending" (right password, address not verified yet) or "bad"
    person: Person | None = None


def check_sign_in(email: str, password: str) -> SignInCheck:
    """Check an email and password. Unknown address and wrong password look the same and take
    the same time. On success an outdated hash is replaced (the caller commits)."""
    person = find_person_by_email(email)
    stored = None
    if person is not None:
        stored = person.password_hash
    matched = verify_secret(stored or decoy_hash(), password)
    if person is None or stored is None or not matched:
        return SignInCheck("bad")
    if awaits_verification(person):
        return SignInCheck("pending", person)
    if not person.is_active:
        return SignInCheck("bad")
    if needs_rehash(stored):
        person.password_hash = hash_secret(password)
    return SignInCheck("ok", person)
