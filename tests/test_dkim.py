"""With a DKIM key configured, every email is signed and the signature verifies with dkimpy
against the published public key, covering both one-click headers."""

from __future__ import annotations

import base64
import re

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due, queue_campaign
from tests.messaging_support import LONG_BASE_URL, consent, raw_to


@pytest.fixture
def dkim_key(app, tmp_path):
    """A fresh RSA key in a file, configured for the app; the DNS TXT record to publish."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    app.config.update(DKIM_PRIVATE_KEY_FILE=str(path), DKIM_SELECTOR="pc2026",
                      DKIM_DOMAIN="example.com", BASE_URL=LONG_BASE_URL)
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def _dns(record):
    def lookup(name, timeout=5):
        return record if name == b"pc2026._domainkey.example.com." else None
    return lookup


def _send(make_person):
    person = make_person(email="ada@example.com", name="Ada")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}")
    db.session.commit()
    assert deliver_due()["sent"] == 1


def test_the_signature_verifies_and_covers_the_one_click_headers(app, mailbox, make_person,
                                                                 dkim_key):
    _send(make_person)
    raw = raw_to(mailbox, "ada@example.com")
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=_dns(dkim_key))
    header = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").decode()
    tag = re.search(r"\bh=([^;]+)", header.split("DKIM-Signature:", 1)[1]).group(1)
    signed = {name.strip().lower().encode() for name in tag.split(":")}
    assert {b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
            b"list-unsubscribe-post"} <= signed


def test_a_changed_one_click_address_breaks_the_signature(app, mailbox, make_person, dkim_key):
    _send(make_person)
    raw = raw_to(mailbox, "ada@example.com")
    tampered = raw.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=_dns(dkim_key))


def test_without_dkim_settings_mail_is_not_signed(app, mailbox, make_person):
    _send(make_person)
    assert b"DKIM-Signature" not in raw_to(mailbox, "ada@example.com")
