"""Data-rights fixtures: ``make_full_person()`` gives a customer with data in every registry
category; ``scan_database(needles)`` reads every text value of every table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import String, Text, inspect, text

from preference_centre import clock, crypto
from preference_centre.auth.sessions import start_session
from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.messaging import queue_service_email
from preference_centre.models import (
    AuditEvent,
    Communication,
    ExternalRecord,
    Order,
    PaymentMethod,
    RightsRequest,
)
from preference_centre.passwords import hash_secret
from tests.helpers_data_rights import Identity


@pytest.fixture
def make_full_person(make_person: Any) -> Any:
    """``make_full_person(identity=None, *, orders=2)``: a customer with rows in every
    category of the registry."""
    def make(identity: Identity | None = None, *, orders: int = 2) -> Any:
        who = identity or Identity()
        person = make_person(
            email=who.email, name=who.name, phone=who.phone,
            date_of_birth=who.date_of_birth, gender="male", security_question="First pet?",
            security_answer_hash=hash_secret("rex"), pending_email="zeb.new@example.com",
        )
        person.address = who.address  # new_person's first argument is also called address
        now = clock.utcnow()
        for n in range(orders):
            db.session.add(Order(person_id=person.id, reference=f"ORD-{person.id}-{n}",
                                 product="Broadband 500", amount_pence=2999 + n,
                                 ordered_at=now - timedelta(days=n),
                                 delivery_address=f"{who.name}, {who.address}"))
        db.session.add(PaymentMethod(person_id=person.id, brand="Visa", last4="4242", exp_month=4,
                                     exp_year=2029))
        db.session.add(Communication(person_id=person.id, channel="phone", direction="inbound",
                                     summary=f"{who.name} called from {who.phone} about billing"))
        db.session.add(ExternalRecord(person_id=person.id, source="Facebook",
                                      description="Interests", data=f"{who.name}: cycling"))
        db.session.add(AuditEvent(person_id=person.id, actor_type="person", action="profile.update",
                                  field="phone"))
        db.session.add(RightsRequest(reference=f"DR-T{person.id}", person_id=person.id,
                                     kind="rectify", due_at=now + timedelta(days=30),
                                     details=f"My phone is {who.phone}"))
        record_changes(person.id, {"email:offers": True, "cookies:analytics": True},
                       Actor(source="form", actor_id=str(person.id), ip="203.0.113.9",
                             user_agent="Mozilla/5.0 Firefox/120.0"))
        start_session(person, remember=True, ip="203.0.113.9", user_agent="Firefox/120 Linux")
        sent = queue_service_email(person, "export_ready", f"Hello {who.name}",
                                   {"link": "x", "days": 7, "reference": "R"})
        sent.status, sent.sent_at = "sent", now
        queue_service_email(person, "export_ready", "Still queued",
                            {"link": "x", "days": 7, "reference": "R"})
        db.session.commit()
        return person
    return make


def _plain(value: str) -> str:
    if value.startswith("v2."):
        try:
            return crypto.decrypt(value)
        except RuntimeError:
            return value
    return value


@pytest.fixture
def scan_database(app: Any) -> Any:
    """``scan_database(needles, *, allow=frozenset())``: every text value of every table,
    read with raw SQL (encrypted ones decrypted), that contains one of ``needles``
    (case-insensitive): 'table.column: value' for each."""
    def scan(needles: list[str], *, allow: set[tuple[str, str]] = frozenset()) -> list[str]:
        lowered = [n.lower() for n in needles]
        found = []
        inspector = inspect(db.engine)
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)
                       if isinstance(c["type"], String | Text) or "CHAR" in str(c["type"]).upper()
                       or "TEXT" in str(c["type"]).upper() or "JSON" in str(c["type"]).upper()]
            if not columns:
                continue
            quoted = ", ".join(f'"{c}"' for c in columns)
            for row in db.session.execute(text(f'SELECT {quoted} FROM "{table}"')):
                for column, value in zip(columns, row, strict=True):
                    if value is None or (table, column) in allow:
                        continue
                    plain = _plain(str(value)).lower()
                    if any(n in plain for n in lowered):
                        found.append(f"{table}.{column}: {plain[:80]}")
        return found
    return scan
