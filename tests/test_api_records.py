"""The API's records: orders (with their service emails), communications, the suppression list,
and what it answers to malformed requests (always JSON, never a 500)."""

from __future__ import annotations

import pytest

from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import Communication, Order, Person
from tests.helpers_messaging import body_text


def order(person_id: int, reference: str = "A-1001", **extra):
    return {"person_id": person_id, "reference": reference, "product": "Broadband 500",
            "amount_pence": 2999, **extra}


# Orders ----------------------------------------------------------------------------------------

def test_an_order_is_recorded_and_confirmed_by_email(api, make_person, mailbox, frozen_clock):
    person = make_person(email="buyer@example.com")
    response = api.post("/api/v1/orders", json=order(person.id))
    assert response.status_code == 201
    assert response.json["status"] == "confirmed"
    assert db.session.get(Person, person.id).last_purchase_at == frozen_clock.now
    assert deliver_due()["sent"] == 1
    message = mailbox.last_to("buyer@example.com")
    assert "A-1001" in message["Subject"]
    assert "Broadband 500" in body_text(message)


def test_an_order_change_is_told_to_the_customer(api, make_person, mailbox):
    person = make_person(email="buyer@example.com")
    api.post("/api/v1/orders", json=order(person.id))
    deliver_due()
    response = api.patch("/api/v1/orders/A-1001",
                         json={"status": "delayed", "note": "The router ships on Friday."})
    assert response.status_code == 200 and response.json["status"] == "delayed"
    deliver_due()
    assert "ships on Friday" in body_text(mailbox.last_to("buyer@example.com"))


def test_a_duplicate_order_reference_is_a_conflict(api, make_person):
    person = make_person()
    assert api.post("/api/v1/orders", json=order(person.id)).status_code == 201
    response = api.post("/api/v1/orders", json=order(person.id))
    assert response.status_code == 409
    assert db.session.execute(db.select(db.func.count(Order.id))).scalar() == 1


@pytest.mark.parametrize("change, field", [
    ({"amount_pence": -1}, "amount_pence"),
    ({"amount_pence": True}, "amount_pence"),
    ({"amount_pence": 10**12}, "amount_pence"),
    ({"reference": "has space"}, "reference"),
    ({"currency": "pounds"}, "currency"),
    ({"product": "x\x00y"}, "product"),
    ({"person_id": "1; drop"}, "person_id"),
])
def test_bad_orders_name_the_field(api, make_person, change, field):
    person = make_person()
    response = api.post("/api/v1/orders", json={**order(person.id), **change})
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_orders_for_unknown_people_or_references_are_404(api):
    assert api.post("/api/v1/orders", json=order(777)).status_code == 404
    assert api.patch("/api/v1/orders/NOPE", json={"status": "delayed"}).status_code == 404


# Communications --------------------------------------------------------------------------------

def test_a_communication_is_recorded(api, make_person):
    person = make_person()
    response = api.post(f"/api/v1/people/{person.id}/communications", json={
        "channel": "webchat", "direction": "inbound", "summary": "Asked about fibre",
        "occurred_at": "2026-11-20T10:00:00Z"})
    assert response.status_code == 201
    row = db.session.get(Communication, response.json["id"])
    assert (row.channel, row.summary, row.occurred_at.day) == ("webchat", "Asked about fibre", 20)


@pytest.mark.parametrize("body, field", [
    ({"channel": "fax", "direction": "inbound"}, "channel"),
    ({"channel": "phone"}, "direction"),
    ({"channel": "phone", "direction": "inbound", "occurred_at": "yesterday"}, "occurred_at"),
    ({"channel": "phone", "direction": "inbound", "occurred_at": "2999-01-01T00:00:00"},
     "occurred_at"),
])
def test_bad_communications_name_the_field(api, make_person, frozen_clock, body, field):
    person = make_person()
    response = api.post(f"/api/v1/people/{person.id}/communications", json=body)
    assert response.status_code == 400 and field in response.json["fields"]


# Suppression list ------------------------------------------------------------------------------

def test_the_suppression_list_pages_through_people_and_hashes(api, make_person, erase_address):
    keen = make_person(email="keen@example.com")
    record_changes(keen.id, {"email:offers": True}, Actor(source="form"))
    quitter = make_person(email="quit@example.com")
    record_changes(quitter.id, {"email:offers": True}, Actor(source="form"))
    record_changes(quitter.id, {"email:offers": False}, Actor(source="form"))
    make_person(email="never@example.com")
    db.session.commit()
    erase_address("gone@example.com")
    seen, cursor = [], None
    for _ in range(5):
        url = "/api/v1/suppressions?channel=email&limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(url).json
        seen += body["entries"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [(e["email"], e["reason"]) for e in seen if e["email"]] == [
        ("quit@example.com", "withdrawn"), ("never@example.com", "no consent")]
    hashes = [e for e in seen if e["email_hash"]]
    assert len(hashes) == 1 and hashes[0]["reason"] == "erased"
    assert "gone@example.com" not in str(seen)


def test_a_bad_cursor_or_channel_is_400(api):
    assert api.get("/api/v1/suppressions?cursor=zzz").status_code == 400
    assert api.get("/api/v1/suppressions?channel=pigeon").status_code == 400


# Malformed requests ----------------------------------------------------------------------------

DEEP = "[" * 30_000 + "]" * 30_000  # under the 64 KB limit, far too deep to read


@pytest.mark.parametrize("method, path", [
    ("post", "/api/v1/contact-check"), ("post", "/api/v1/people"),
    ("put", "/api/v1/people/{id}/consent"), ("post", "/api/v1/orders"),
    ("patch", "/api/v1/orders/A-1"), ("post", "/api/v1/people/{id}/communications"),
])
@pytest.mark.parametrize("body", [DEEP, '{"name": ' + DEEP + "}"])
def test_every_json_endpoint_answers_a_deeply_nested_body_with_400(api, make_person, method,
                                                                   path, body):
    url = path.format(id=make_person().id)
    response = getattr(api, method)(url, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["error"] == "Invalid input"


def test_malformed_requests_get_json_errors_not_500(api, make_person):
    person = make_person()
    not_json = api.post("/api/v1/people", data="{not json", content_type="application/json")
    assert not_json.status_code == 400 and "body" in not_json.json["fields"]
    missing = api.post("/api/v1/orders", json={})
    assert missing.status_code == 400
    assert {"person_id", "reference", "product", "amount_pence"} <= set(missing.json["fields"])
    nested = api.post("/api/v1/people", data="[" * 50_000, content_type="application/json")
    assert nested.status_code == 400 and nested.is_json
    odd_digits = api.get("/api/v1/contact-check?person_id=\u00b2&channel=email&topic=offers")
    assert odd_digits.status_code == 400
    assert api.patch("/api/v1/orders/A%00B", json={"status": "delayed"}).status_code == 404
    huge = api.post("/api/v1/people", json={"email": "a@example.com", "name": "x" * 100_000})
    assert huge.status_code == 413 and huge.is_json
    too_big_id = api.get("/api/v1/people/99999999999999999999/consent")
    assert too_big_id.status_code == 404 and too_big_id.is_json
    assert api.get("/api/v1/no-such-thing").json["error"]
    wrong_method = api.delete(f"/api/v1/people/{person.id}/consent")
    assert wrong_method.status_code == 405 and wrong_method.is_json
