"""The API other company systems call: keys, contact checks, people and consent."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from preference_centre.api.auth import create_api_key, revoke_api_key
from preference_centre.consent import history
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, ExternalRecord, Person
from preference_centre.people import find_person_by_email
from tests.helpers_api import EVIDENCE

# Keys ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic abc", "Bearer "])
def test_requests_without_a_valid_key_get_401_json(client, api_key, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/contact-check?email=a@example.com&channel=email&topic=offers",
                          headers=headers)
    assert response.status_code == 401
    assert response.is_json and response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(client, api_key):
    headers = {"Authorization": f"Bearer {api_key[0]}"}
    url = "/api/v1/contact-check?email=a@example.com&channel=email&topic=offers"
    assert client.get(url, headers=headers).status_code == 200
    revoke_api_key(api_key[1])
    db.session.commit()
    assert client.get(url, headers=headers).status_code == 401


def test_only_the_hash_of_a_key_is_stored(app, api_key):
    from preference_centre.models import ApiKey

    row = db.session.execute(db.select(ApiKey)).scalar_one()
    assert api_key[0] not in (row.key_hash, row.key_prefix, row.name)
    assert api_key[0].startswith(row.key_prefix)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_api_posts_need_no_csrf_token(api):
    response = api.post("/api/v1/people", json={"email": "csrf@example.com"})
    assert response.status_code == 201


@pytest.mark.app_config(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute")
def test_each_key_has_its_own_rate_limit(client, api):
    url = "/api/v1/contact-check?email=a@example.com&channel=email&topic=offers"
    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get(url).is_json
    other, _raw = create_api_key("Call centre")
    db.session.commit()
    assert client.get(url, headers={"Authorization": f"Bearer {_raw}"}).status_code == 200


# Contact check ---------------------------------------------------------------------------------

def test_contact_check_follows_consent_changes(api, make_person):
    person = make_person(email="ada@example.com")
    url = "/api/v1/contact-check?email=ada@example.com&channel=email&topic=offers"
    assert api.get(url).json == {"allowed": False, "reason": "no consent"}
    assert api.put(f"/api/v1/people/{person.id}/consent",
                   json={"consents": {"email:offers": True}, **EVIDENCE}).status_code == 200
    assert api.get(url).json["allowed"] is True
    by_id = f"/api/v1/contact-check?person_id={person.id}&channel=email&topic=offers"
    assert api.get(by_id).json["allowed"] is True
    api.put(f"/api/v1/people/{person.id}/consent", json={"consents": {"email:offers": False}})
    assert api.get(url).json["allowed"] is False


def test_contact_check_for_an_unknown_address_reveals_nothing(api):
    response = api.get("/api/v1/contact-check?email=nobody@example.com&channel=email&topic=offers")
    assert response.json == {"allowed": False, "reason": "unknown"}
    response = api.get("/api/v1/contact-check?person_id=999&channel=post&topic=offers")
    assert response.json == {"allowed": False, "reason": "unknown"}


@pytest.mark.parametrize("query, field", [
    ("channel=email&topic=offers", "email"),
    ("email=not-an-address&channel=email&topic=offers", "email"),
    ("email=a@example.com&channel=email&topic=lottery", "topic"),
    ("email=a@example.com&topic=offers", "channel"),
    ("person_id=99999999999999999999&channel=email&topic=offers", "person_id"),
])
def test_contact_check_names_the_bad_field(api, query, field):
    response = api.get(f"/api/v1/contact-check?{query}")
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_contact_check_by_post_gives_the_answers_of_the_get(api, client, make_person):
    # The address in the body stays out of every URL, and so out of the access log.
    person = make_person(email="ada@example.com")
    api.put(f"/api/v1/people/{person.id}/consent",
            json={"consents": {"email:offers": True}, **EVIDENCE})
    for query in ("email=ada@example.com&channel=email&topic=offers",
                  "email=Ada@Example.com&channel=sms&topic=offers",
                  f"person_id={person.id}&channel=email&topic=offers",
                  "email=nobody@example.com&channel=email&topic=offers",
                  "person_id=999&channel=post&topic=offers"):
        body = dict(parse_qsl(query))
        by_post = api.post("/api/v1/contact-check", json=body)
        assert by_post.status_code == 200
        assert by_post.json == api.get(f"/api/v1/contact-check?{query}").json
    assert api.post("/api/v1/contact-check", json={
        "person_id": person.id, "channel": "email", "topic": "offers"}).json["allowed"] is True
    anonymous = client.post("/api/v1/contact-check", json={
        "email": "ada@example.com", "channel": "email", "topic": "offers"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"channel": "email", "topic": "offers"}, "email"),
    ({"email": "not-an-address", "channel": "email", "topic": "offers"}, "email"),
    ({"email": "a@example.com", "channel": "email", "topic": "lottery"}, "topic"),
    ({"person_id": 2**40, "channel": "email", "topic": "offers"}, "person_id"),
    ({"person_id": True, "channel": "email", "topic": "offers"}, "person_id"),
    (["a@example.com"], "body"),
])
def test_contact_check_by_post_names_the_bad_field(api, body, field):
    response = api.post("/api/v1/contact-check", json=body)
    assert response.status_code == 400
    assert field in response.json["fields"]


# People and consent ----------------------------------------------------------------------------

def test_creating_a_person_records_consent_from_the_api(api):
    response = api.post("/api/v1/people", json={
        "email": "Grace@Example.com", "name": "Grace", "source_note": "checkout",
        "consents": {"email:offers": True, "post:offers": False}, **EVIDENCE,
    })
    assert response.status_code == 201
    assert response.json["created"] is True and response.json["status"] == "pending"
    person = db.session.get(Person, response.json["person_id"])
    assert person.origin == "api" and person.name == "Grace"
    source = db.session.execute(db.select(ExternalRecord)).scalar_one()
    assert (source.person_id, source.source, source.description) == (
        person.id, "api:Shop", "checkout")
    events = history(person.id)
    assert {event.purpose for event in events} == {"email:offers", "post:offers"}
    assert {(event.source, event.actor_type, event.actor_id) for event in events} == {
        ("api", "api", api.prefix)}


def test_posting_a_known_address_finds_the_person(api, make_person):
    person = make_person(email="known@example.com", name="Known")
    response = api.post("/api/v1/people", json={"email": "KNOWN@example.com", "name": "Other"})
    assert response.status_code == 200
    assert response.json == {"person_id": person.id, "created": False, "status": "active",
                             "changed": []}
    assert db.session.get(Person, person.id).name == "Known"


def test_a_verified_address_makes_an_active_person(api):
    response = api.post("/api/v1/people", json={"email": "v@example.com", "email_verified": True})
    assert response.json["status"] == "active"


def test_consent_view_lists_every_purpose_with_its_basis(api, make_person):
    person = make_person()
    body = api.get(f"/api/v1/people/{person.id}/consent").json
    assert body["purposes"]["email:offers"] == {
        "allowed": False, "basis": "consent", "title": "Offers by email"}
    assert body["purposes"]["post:offers"]["basis"] == "legitimate_interests"
    assert body["purposes"]["service_messages"]["allowed"] is True
    assert api.get("/api/v1/people/424242/consent").status_code == 404


def test_an_erased_address_cannot_be_resubscribed(api, erase_address):
    erase_address("gone@example.com")
    response = api.post("/api/v1/people", json={
        "email": "gone@example.com", "consents": {"email:offers": True}})
    assert response.status_code == 409
    assert "suppression list" in response.json["error"]
    assert find_person_by_email("gone@example.com") is None
    assert db.session.execute(db.select(ConsentEvent)).first() is None


def test_withdrawals_for_an_erased_address_are_accepted(api, erase_address):
    erase_address("gone@example.com")
    response = api.post("/api/v1/people", json={
        "email": "gone@example.com", "consents": {"email:offers": False, "post:offers": False}})
    assert response.status_code == 201
    person_id = response.json["person_id"]
    assert response.json["changed"] == ["post:offers"]
    refused = api.put(f"/api/v1/people/{person_id}/consent", json={"email:updates": True})
    assert refused.status_code == 409
    assert api.get(f"/api/v1/people/{person_id}/consent").json["purposes"][
        "email:updates"]["allowed"] is False
    check = api.get("/api/v1/contact-check?email=gone@example.com&channel=post&topic=offers")
    assert check.json["allowed"] is False


@pytest.mark.parametrize("body", [
    {"email:offers": "yes"},
    {"service_messages": False},
    {"no:such": True},
    {},
    [],
])
def test_bad_consent_changes_are_400_and_change_nothing(api, make_person, body):
    person = make_person()
    response = api.put(f"/api/v1/people/{person.id}/consent", json=body)
    assert response.status_code == 400
    assert response.is_json and response.json["fields"]
    assert history(person.id) == []


def test_after_real_erasure_the_api_cannot_restore_marketing(api, make_person):
    from preference_centre.data_rights.erasure import erase_person

    created = api.post("/api/v1/people", json={
        "email": "leaver@example.com", "email_verified": True,
        "consents": {"email:offers": True}, **EVIDENCE}).json
    order = {"person_id": created["person_id"], "reference": "L-1", "product": "Fibre",
             "amount_pence": 100}
    assert api.post("/api/v1/orders", json=order).status_code == 201
    erase_person(created["person_id"], "person", notify=False)
    db.session.commit()
    check = "/api/v1/contact-check?email=leaver@example.com&channel=email&topic=offers"
    assert api.get(check).json == {"allowed": False, "reason": "unknown"}
    again = api.post("/api/v1/people", json={
        "email": "leaver@example.com", "consents": {"email:offers": True}})
    assert again.status_code == 409
    assert api.get(check).json["allowed"] is False
    # The order kept for accounting can still be updated; there is nobody to write to.
    assert api.patch("/api/v1/orders/L-1", json={"status": "cancelled"}).status_code == 200
