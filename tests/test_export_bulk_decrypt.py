"""The export's chunked decryption gives exactly what the app's own decryption gives."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, MultiFernet

from preference_centre import crypto
from preference_centre.data_rights.bulk_decrypt import decrypt_many


def test_same_plain_text_as_crypto_decrypt_for_every_length(app):
    values = ["", "a", "x" * 15, "y" * 16, "z" * 17, "£ café ☕" * 9, "line\nbreak", None]
    tokens = [None if v is None else crypto.encrypt(v) for v in values]
    assert decrypt_many(tokens) == values
    assert decrypt_many(tokens) == [None if t is None else crypto.decrypt(t) for t in tokens]


@pytest.mark.app_config(DATA_ENCRYPTION_KEYS=[Fernet.generate_key().decode(),
                                              Fernet.generate_key().decode()])
def test_values_under_an_older_key_still_decrypt(app):
    old = MultiFernet([Fernet(app.config["DATA_ENCRYPTION_KEYS"][1])])
    token = old.encrypt(b"old address").decode()
    assert decrypt_many([token, crypto.encrypt("new")]) == ["old address", "new"]


def test_a_tampered_value_fails_like_any_other_read(app):
    token = crypto.encrypt("secret")
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(RuntimeError):
        decrypt_many([tampered])
