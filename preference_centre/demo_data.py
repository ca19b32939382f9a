"""Demo data for ``flask demo seed``: a handful of realistic UK customers with verified
accounts, orders (one 37 months old, so retention has something to do), masked cards,
communications, information from other organisations and a consent history.

Idempotent: a customer whose address is already on file is left as it is; one that is gone
(erased, say, while trying the erasure pages) is made again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import clock
from .consent import Actor, record_changes
from .extensions import db
from .messaging import send_order_confirmed
from .models import Communication, ExternalRecord, Order, PaymentMethod
from .passwords import hash_secret
from .people import find_person_by_email, new_person

# Printed by `flask demo seed`: demo data only, never a real account.
DEMO_PASSWORD = "demo-privacy-centre-2024"  # noqa: S105

CUSTOMERS: list[dict[str, Any]] = [
    {"email": "alice@example.com", "name": "Alice Hughes", "gender": "Female",
     "address": "12 Bridge Street, Manchester M3 3BW", "phone": "07700 900101",
     "date_of_birth": "1986-04-12", "consents": {"email:offers": True, "email:updates": True}},
    {"email": "bilal@example.com", "name": "Bilal Rahman", "gender": "Male",
     "address": "4 Clifton Road, Bristol BS8 1AA", "phone": "07700 900202",
     "date_of_birth": "1992-02-29", "consents": {"email:policy": True, "sms:offers": True}},
    {"email": "ceri@example.com", "name": "Ceri Morgan", "gender": "Female",
     "address": "88 Queen Street, Cardiff CF10 2GP", "phone": "07700 900303",
     "date_of_birth": "1975-09-03", "consents": {"post:offers": False}},
    {"email": "duncan@example.com", "name": "Duncan McLeod", "gender": "Male",
     "address": "21 Rose Street, Edinburgh EH2 2PR", "phone": "07700 900404",
     "date_of_birth": "1968-11-30", "consents": {"profiling": True, "ads:personalised": True}},
    {"email": "ella@example.com", "name": "Ella Thompson", "gender": "Female",
     "address": "3 Castle Hill, Lincoln LN1 3AA", "phone": "07700 900505",
     "date_of_birth": "2001-06-21", "consents": {"cookies:analytics": True}},
]
PRODUCTS = [("Fibre broadband 500", 3499), ("Mobile SIM 30GB", 1200), ("Home phone", 1850),
            ("TV bundle", 2500), ("Router upgrade", 4999)]


def _profile(index: int) -> dict[str, Any]:
    if index < len(CUSTOMERS):
        return CUSTOMERS[index]
    return {"email": f"customer{index + 1}@example.com", "name": f"Demo Customer {index + 1}",
            "gender": None, "address": f"{index + 1} High Street, York YO1 7HH",
            "phone": f"07700 9{index:05d}"[:13], "date_of_birth": "1980-01-01",
            "consents": {"email:updates": index % 2 == 0}}


def _add_customer(index: int, profile: dict[str, Any], password_hash: str) -> None:
    now = clock.utcnow()
    person = new_person(profile["email"], origin="demo", status="active",
                        name=profile["name"], gender=profile["gender"], phone=profile["phone"],
                        date_of_birth=profile["date_of_birth"], password_hash=password_hash,
                        created_at=now - timedelta(days=1200))
    person.address = profile["address"]  # new_person's first argument is named "address"
    ages = [3, 45, 200] + ([37 * 31] if index == 0 else [])
    for n, days in enumerate(ages):
        product, price = PRODUCTS[(index + n) % len(PRODUCTS)]
        # The person id keeps references unique when an erased demo customer is made again:
        # erasure keeps the old orders' references for accounting.
        order = Order(person_id=person.id, reference=f"DEMO-{index + 1:03d}-{person.id}-{n + 1}",
                      product=product, amount_pence=price, ordered_at=now - timedelta(days=days),
                      status="confirmed" if days < 30 else "delivered")
        db.session.add(order)
        db.session.flush()
        if days < 30:
            send_order_confirmed(order)
    person.last_purchase_at = now - timedelta(days=min(ages))
    person.last_seen_at = now - timedelta(days=1 + index)
    db.session.add(PaymentMethod(person_id=person.id, brand=("Visa", "Mastercard")[index % 2],
                                 last4=f"{4242 + index:04d}"[-4:], exp_month=1 + index % 12,
                                 exp_year=2028 + index % 3))
    for channel, direction, summary, days in (
        ("email", "inbound", "Asked when the router would arrive", 40),
        ("webchat", "inbound", "Changed the delivery slot to a Saturday", 20),
        ("phone", "outbound", "Called to confirm the installation date", 5),
    ):
        db.session.add(Communication(person_id=person.id, channel=channel, direction=direction,
                                     summary=summary, occurred_at=now - timedelta(days=days)))
    for source, description, data in (
        ("Facebook", "Interests shared through Facebook Login", "Cycling, home cinema"),
        ("Google", "Ad interaction from a Google campaign", "Clicked a broadband offer"),
    ):
        db.session.add(ExternalRecord(person_id=person.id, source=source,
                                      description=description, data=data,
                                      received_at=now - timedelta(days=90)))
    record_changes(person.id, profile["consents"],
                   Actor(source="signup", actor_type="person", ip="203.0.113.10",
                         user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/126.0"))


def seed_demo(customers: int) -> list[str]:
    """Create up to ``customers`` demo customers; returns the lines to print. The caller
    commits."""
    password_hash = hash_secret(DEMO_PASSWORD)
    created = 0
    for index in range(customers):
        profile = _profile(index)
        if find_person_by_email(profile["email"]) is not None:
            continue
        _add_customer(index, profile, password_hash)
        created += 1
    first = _profile(0)["email"]
    return [f"Demo customers: {created} created, {customers - created} already there.",
            f"Log in as {first} / {DEMO_PASSWORD}"]
