"""Field encryption at rest (MultiFernet, newest key first) and keyed hashes for look-ups.

Email addresses are stored encrypted like every other contact field; a keyed hash
(HMAC-SHA256 under ``EMAIL_INDEX_KEY``) of the normalised address is the unique index used
to find a person, so a copy of the database file alone reveals no address and the hash
cannot be reversed by hashing a list of guessed addresses without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app


@dataclass(frozen=True)
class FieldCrypto:
    fernet: MultiFernet
    newest: Fernet  # the first of DATA_ENCRYPTION_KEYS: every write uses it
    index_key: bytes

    def encrypt(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (``flask keys rotate-data``); raises
        ``InvalidToken`` when no key reads it."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def is_newest(self, token: str) -> bool:
        """Whether ``token`` was written under the newest key (its signature checks out with
        that key alone; nothing is decrypted)."""
        try:
            self.newest.extract_timestamp(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def init_app(app: Flask) -> None:
    keys = app.config["DATA_ENCRYPTION_KEYS"]
    try:
        fernets = [Fernet(key) for key in keys]
        fernet = MultiFernet(fernets)
    except (ValueError, TypeError) as exc:
        raise RuntimeError("DATA_ENCRYPTION_KEYS holds a key that is not a Fernet key") from exc
    index_key = str(app.config["EMAIL_INDEX_KEY"]).encode("utf-8")
    app.extensions["field_crypto"] = FieldCrypto(fernet=fernet, newest=fernets[0],
                                                 index_key=index_key)


def field_crypto() -> FieldCrypto:
    return current_app.extensions["field_crypto"]


def encrypt(plain: str) -> str:
    return field_crypto().encrypt(plain)


def decrypt(token: str) -> str:
    try:
        return field_crypto().decrypt(token)
    except InvalidToken as exc:
        raise RuntimeError("an encrypted field could not be decrypted with any known key") from exc


def normalise_email(address: str) -> str:
    """The form of an address used for equality: trimmed, NFC, lower-cased."""
    return unicodedata.normalize("NFC", address.strip()).lower()


def email_hash(address: str) -> str:
    """Keyed hash of the normalised address: the look-up key and the suppression key."""
    return field_crypto().keyed_hash("email:" + normalise_email(address))


def normalise_phone(number: str) -> str:
    """Digits only, with a UK national number written in international form."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "44" + digits[1:]
    return digits


def phone_hash(number: str) -> str:
    return field_crypto().keyed_hash("phone:" + normalise_phone(number))


def mask_email(address: str) -> str:
    """``j***@e***.com``: enough for a person to recognise their address, not to learn it."""
    local, _, domain = address.partition("@")
    if not domain:
        return "***"
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_domain = (name[:1] + "***") + (("." + tld) if tld else "")
    return f"{local[:1]}***@{masked_domain}"


def mask_phone(number: str) -> str:
    """``07*** ***101``: the first two and last three digits, enough for a person to recognise
    the number a text went to, not to learn it."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return "***"
    return f"{digits[:2]}*** ***{digits[-3:]}"
