"""Password rules and hashing: one place for the web, CLI and staff sign-in to agree on them."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_MIN = 8
PASSWORD_MAX = 1000


class PasswordRejected(ValueError):
    """The password breaks a rule; the message says which, in plain words."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("preference_centre").joinpath("data/common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_rules(password: str) -> None:
    """Length 8 to 1,000, and not one of the 10,000 most common. No composition rules."""
    if len(password) < PASSWORD_MIN:
        raise PasswordRejected(f"Use at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise PasswordRejected(f"Use at most {PASSWORD_MAX:,} characters.")
    if password.lower() in common_passwords():
        raise PasswordRejected("This password is too common and easy to guess. Choose another.")


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    if not stored_hash:
        return False
    try:
        return check_password_hash(stored_hash, secret)
    except (ValueError, TypeError):
        return False


def decoy_hash() -> str:
    """A hash to check when no account matches, so an unknown address answers as slowly as a
    known one and the time taken does not tell which addresses have accounts."""
    return _decoy_hash(current_app.config["PASSWORD_HASH_METHOD"])


@lru_cache(maxsize=4)
def _decoy_hash(method: str) -> str:
    # A pure function of ``method``: the configured method is passed in, never read here.
    return generate_password_hash("not the password of anyone", method=method)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with another method or cost than the configured one."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return not stored_hash.startswith(method + "$")


def normalise_answer(answer: str) -> str:
    """Security answers compare without case or extra spaces."""
    return " ".join(answer.split()).lower()
