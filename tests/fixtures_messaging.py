"""Messaging fixtures: ``consent(person, **purposes)``, the ``outbox`` (queue service mail,
choose the SMTP server's reply, run the worker once) and a ``dkim_key``."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due, queue_service_email
from preference_centre.models import OutboxMessage
from tests.helpers_messaging import LONG_BASE_URL, add_template


@pytest.fixture
def subscriber(make_person: Any) -> Any:
    """Someone who said yes to email offers and email updates."""
    person = make_person(email="alice.smith@example.com")
    record_changes(person.id, {"email:offers": True, "email:updates": True}, Actor(source="form"))
    db.session.commit()
    return person


@pytest.fixture
def consent(app: Any) -> Any:
    """``consent(person, **{"email:offers": True})``, recorded as the person's form choice."""
    def record(person: Any, **purposes: bool) -> None:
        record_changes(person.id, purposes, Actor(source="form"))
        db.session.commit()
    return record


class Outbox:
    """The outbox as a test drives it: ``queue`` service mail, ``reply`` sets what the test
    SMTP server answers from now on, ``deliver`` runs the worker once, ``row`` rereads."""

    def __init__(self, app: Any, mailbox: Any, folder: Path) -> None:
        self.app = app
        self.mailbox = mailbox
        self.folder = folder

    def queue(self, person: Any, count: int = 1) -> list[OutboxMessage]:
        """``count`` service emails (template ``hello``) queued for ``person``, committed."""
        add_template(self.app, self.folder)
        rows = [queue_service_email(person, "hello", f"Note {n}", {"who": "Ada"})
                for n in range(count)]
        db.session.commit()
        return rows

    def reply(self, answer: str) -> None:
        """What the SMTP server says to each message from now on, e.g. "451 4.3.0 later"."""
        self.mailbox.reply = answer

    def deliver(self, **options: Any) -> dict[str, int]:
        """One run of the worker over what is due; its counts per outcome."""
        return deliver_due(**options)

    def row(self, row_id: int) -> OutboxMessage:
        """The outbox row as the database has it now."""
        db.session.expire_all()
        return db.session.get(OutboxMessage, row_id)


@pytest.fixture
def outbox(app: Any, mailbox: Any, tmp_path: Path) -> Outbox:
    return Outbox(app, mailbox, tmp_path)


@pytest.fixture
def dkim_key(app: Any, tmp_path: Path) -> bytes:
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
