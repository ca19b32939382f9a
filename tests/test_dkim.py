"""With a DKIM key configured, every email is signed and the signature verifies with dkimpy
against the published public key, covering both one-click headers."""

from __future__ import annotations

import re

import dkim

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due, queue_campaign
from tests.helpers_messaging import dkim_dns, raw_to


def _send(make_person, consent):
    person = make_person(email="ada@example.com", name="Ada")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}")
    db.session.commit()
    assert deliver_due()["sent"] == 1


def test_the_signature_verifies_and_covers_the_one_click_headers(app, mailbox, make_person,
                                                                 consent, dkim_key):
    _send(make_person, consent)
    raw = raw_to(mailbox, "ada@example.com")
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dkim_dns(dkim_key))
    header = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"").decode()
    tag = re.search(r"\bh=([^;]+)", header.split("DKIM-Signature:", 1)[1]).group(1)
    signed = {name.strip().lower().encode() for name in tag.split(":")}
    assert {b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe",
            b"list-unsubscribe-post"} <= signed


def test_a_changed_one_click_address_breaks_the_signature(
        app, mailbox, make_person, consent, dkim_key):
    _send(make_person, consent)
    raw = raw_to(mailbox, "ada@example.com")
    tampered = raw.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=dkim_dns(dkim_key))


def test_without_dkim_settings_mail_is_not_signed(app, mailbox, make_person, consent):
    _send(make_person, consent)
    assert b"DKIM-Signature" not in raw_to(mailbox, "ada@example.com")
