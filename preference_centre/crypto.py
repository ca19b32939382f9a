"""Field encryption at rest (AES-256-GCM, newest key first) and keyed hashes for look-ups.

Each key of ``DATA_ENCRYPTION_KEYS`` (a Fernet key, as before) yields, through HKDF, an
AES-256-GCM key and a short key id. A value is stored as ``v2.<key id>.<nonce+ciphertext in
base64>``: the id names the key that reads it (no trial of every key), and GCM both hides and
authenticates it. Values written earlier as Fernet tokens still read (``MultiFernet``), and
``flask keys rotate-data`` rewrites them in the new form. The form changed because exports
decrypt one field per row: a Fernet token (AES-CBC, HMAC, timestamp) took about seven times
as long to read as a GCM one, and the suppression list must stream at list speed.

Email addresses are stored encrypted like every other contact field; a keyed hash
(HMAC-SHA256 under ``EMAIL_INDEX_KEY``) of the normalised address is the unique index used
to find a person, so a copy of the database file alone reveals no address and the hash
cannot be reversed by hashing a list of guessed addresses without the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app

PREFIX = "v2."
NONCE_BYTES = 12  # GCM's standard nonce, random per value
KEY_ID_CHARS = 8


@dataclass(frozen=True)
class FieldCrypto:
    ciphers: dict[str, AESGCM]  # key id -> cipher, for every key of DATA_ENCRYPTION_KEYS
    newest_id: str  # the first key's id: every write uses it
    legacy: MultiFernet  # reads values written as Fernet tokens before the GCM form
    index_key: bytes

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.ciphers[self.newest_id].encrypt(nonce, plain.encode("utf-8"), None)
        return f"{PREFIX}{self.newest_id}.{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str) -> str:
        """The plain text; raises ``InvalidToken`` when no key reads it or it was altered."""
        if not token.startswith(PREFIX):
            return self.legacy.decrypt(token.encode("ascii")).decode("utf-8")
        cipher = self.ciphers.get(token[3:3 + KEY_ID_CHARS])
        try:
            raw = binascii.a2b_base64(token[4 + KEY_ID_CHARS:], strict_mode=True)
            if cipher is None or len(raw) <= NONCE_BYTES:
                raise InvalidToken
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
        except (InvalidTag, binascii.Error, UnicodeDecodeError):
            raise InvalidToken from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the newest key (``flask keys rotate-data``); raises
        ``InvalidToken`` when no key reads it."""
        return self.encrypt(self.decrypt(token))

    def is_newest(self, token: str) -> bool:
        """Whether ``token`` was written in the current form under the newest key (read from
        its key id; nothing is decrypted)."""
        return token.startswith(f"{PREFIX}{self.newest_id}.")

    def keyed_hash(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _derive(key: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None,
                info=b"preference-centre field encryption: " + purpose).derive(key)


def _key_id(key: bytes) -> str:
    return base64.urlsafe_b64encode(_derive(key, b"key id", 6)).decode("ascii")


def init_app(app: Flask) -> None:
    keys = app.config["DATA_ENCRYPTION_KEYS"]
    try:
        legacy = MultiFernet([Fernet(key) for key in keys])
        raw_keys = [base64.urlsafe_b64decode(key) for key in keys]
    except (ValueError, TypeError) as exc:
        raise RuntimeError("DATA_ENCRYPTION_KEYS holds a key that is not a Fernet key") from exc
    ciphers = {_key_id(key): AESGCM(_derive(key, b"aes-256-gcm", 32)) for key in raw_keys}
    index_key = str(app.config["EMAIL_INDEX_KEY"]).encode("utf-8")
    app.extensions["field_crypto"] = FieldCrypto(
        ciphers=ciphers, newest_id=_key_id(raw_keys[0]), legacy=legacy, index_key=index_key)


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
