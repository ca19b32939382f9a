"""Consent that holds: a grant from anyone but the person needs its evidence, must have been
captured after the person's latest refusal, and never reaches an erased address or a number
that replied STOP; withdrawals always count (CONTRACT.md, "Rules every writer keeps")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from preference_centre import clock, crypto
from preference_centre.consent import Actor, history, may_contact, record_changes
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, ConsentState, Suppression
from preference_centre.sms.services import opt_out_number
from tests.helpers_consent import offers_given_then_unsubscribed
from tests.helpers_staff import record_on_request, refusal_on

NUMBER = "07700 900123"


def iso(when: Any) -> str:
    return when.isoformat().replace("+00:00", "Z")


def evidence(captured_at: Any) -> dict[str, str]:
    return {"captured_at": iso(captured_at), "collection_point": "shop checkout",
            "notice_version": "1"}


def event_count() -> int:
    return db.session.execute(db.select(db.func.count(ConsentEvent.id))).scalar_one()


def contact_check(api: Any, email: str, purpose: str) -> dict[str, Any]:
    channel, topic = purpose.split(":")
    return api.post("/api/v1/contact-check",
                    json={"email": email, "channel": channel, "topic": topic}).json


# The holes as a user found them --------------------------------------------------------------

def test_after_a_one_click_unsubscribe_the_api_cannot_turn_offers_back_on(api, make_person):
    person = make_person(email="ada@example.com")
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    record_changes(person.id, {"email:offers": False}, Actor(source="one_click"))
    db.session.commit()
    response = api.post("/api/v1/people", json={
        "email": "ada@example.com", "consents": {"email:offers": True}})
    assert response.status_code == 409
    assert "evidence" in response.json["error"]
    assert contact_check(api, "ada@example.com", "email:offers")["allowed"] is False


def test_a_grant_captured_before_the_unsubscribe_is_refused_with_the_reason(
        api, make_person, frozen_clock):
    person = make_person(email="ada@example.com")
    captured = offers_given_then_unsubscribed(person, frozen_clock)
    frozen_clock.advance(hours=1)
    response = api.post("/api/v1/consent-events", json={
        "email": "ada@example.com", "purpose": "email:offers", "granted": True,
        **evidence(captured)})
    assert response.status_code == 409
    assert "after this choice was captured" in response.json["error"]
    assert contact_check(api, "ada@example.com", "email:offers")["allowed"] is False


# Every writer, every situation ---------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """What a writer said: the grant took effect, or the reason it gave for refusing."""

    took_effect: bool
    refusal: str | None = None


def _api_answer(response: Any, purpose: str) -> Answer:
    if response.status_code == 200:
        assert response.json["changed"] == [purpose], response.json
        return Answer(True)
    assert response.status_code == 409 and response.is_json, response.data
    return Answer(False, response.json["error"])


def _post_people(fixtures: Any, person: Any, purpose: str, proof: dict[str, str]) -> Answer:
    return _api_answer(fixtures.getfixturevalue("api").post("/api/v1/people", json={
        "email": person.email, "consents": {purpose: True}, **proof}), purpose)


def _put_consent(fixtures: Any, person: Any, purpose: str, proof: dict[str, str]) -> Answer:
    return _api_answer(fixtures.getfixturevalue("api").put(
        f"/api/v1/people/{person.id}/consent", json={"consents": {purpose: True}, **proof}),
        purpose)


def _consent_event(fixtures: Any, person: Any, purpose: str, proof: dict[str, str]) -> Answer:
    return _api_answer(fixtures.getfixturevalue("api").post("/api/v1/consent-events", json={
        "email": person.email, "purpose": purpose, "granted": True, **proof}), purpose)


def _staff_on_request(fixtures: Any, person: Any, purpose: str,
                      proof: dict[str, str]) -> Answer:
    """A marketing colleague records the grant the person asked for by phone, with the
    notice version they were given; with no evidence, the form's own fields only (the time
    of the call, no notice, no wording)."""
    staff = fixtures.getfixturevalue("make_staff")("marketing")
    asked_at = (datetime.fromisoformat(proof["captured_at"]) if proof
                else clock.utcnow())
    response = record_on_request(staff.client, person, purpose, True, asked_at,
                                 notice_version=proof.get("notice_version", ""))
    if response.status_code == 303:
        return Answer(True)
    page = response.get_data(as_text=True)
    if response.status_code == 400:  # the form itself asks for the notice or the wording
        asked = "To turn something on, choose the privacy notice the person was given"
        assert asked in page
        return Answer(False, asked)
    assert response.status_code == 409, response.status_code
    return Answer(False, refusal_on(page))


def _contacts_import(fixtures: Any, person: Any, purpose: str,
                     proof: dict[str, str]) -> Answer:
    """The person's row in a list given to ``flask contacts import``, evidence columns and
    all: took effect when the import says it updated them, else the line's reason."""
    result = fixtures.getfixturevalue("import_contacts")(
        [{"email": person.email, purpose: "yes", **proof}])
    assert result.exit_code == 0, result.output
    output = result.output.splitlines()
    if output[0] == "created 0, updated 1, skipped 0":
        return Answer(True)
    assert output[0] == "created 0, updated 0, skipped 1", output
    return Answer(False, next(line for line in output if line.startswith("line 2: ")))


# writer -> (how it writes, the collection point its events carry)
WRITERS = {"POST /people": (_post_people, "shop checkout"),
           "PUT /consent": (_put_consent, "shop checkout"),
           "POST /consent-events": (_consent_event, "shop checkout"),
           "staff on request": (_staff_on_request, "staff on request: phone call"),
           "contacts import": (_contacts_import, "shop checkout")}
API_WRITERS = [name for name in WRITERS if name.split()[0] in ("POST", "PUT")]


def _situation(name: str, person: Any, clock: Any) -> tuple[str, dict[str, str]]:
    """Set the person up; the purpose asked for and the evidence the writer sends."""
    purpose = "sms:offers" if name == "number replied STOP" else "email:offers"
    record_changes(person.id, {purpose: True}, Actor(source="form"))
    refused_at = clock.now
    record_changes(person.id, {purpose: False}, Actor(source="one_click"))
    if name == "erased address":
        db.session.add(Suppression(kind="email", value_hash=person.email_hash, reason="erased"))
    if name == "number replied STOP":
        opt_out_number(NUMBER)
    db.session.commit()
    clock.advance(hours=2)
    if name == "no evidence":
        return purpose, {}
    if name == "captured before the refusal":
        return purpose, evidence(refused_at - timedelta(hours=1))
    return purpose, evidence(refused_at + timedelta(hours=1))


SITUATIONS = {  # situation -> does the grant take effect?
    "captured after the refusal": True,
    "captured before the refusal": False,
    "no evidence": False,
    "erased address": False,
    "number replied STOP": False,
}


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("writer", WRITERS)
def test_the_rule_holds_for_every_writer(request, make_person, frozen_clock, writer,
                                         situation):
    person = make_person(email="ada@example.com", phone=NUMBER)
    purpose, proof = _situation(situation, person, frozen_clock)
    before = event_count()
    write, collection_point = WRITERS[writer]
    answer = write(request, person, purpose, proof)
    db.session.expire_all()
    if SITUATIONS[situation]:
        assert answer == Answer(True)
        event = history(person.id)[0]
        assert (event.purpose, event.new_value, event.collection_point) == (
            purpose, True, collection_point)
        assert event.captured_at == frozen_clock.now - timedelta(hours=1)
        assert may_contact(person.id, *purpose.split(":")).allowed
    else:
        assert not answer.took_effect and answer.refusal, "the writer says why"
        assert event_count() == before, "nothing is written"
        assert not may_contact(person.id, *purpose.split(":")).allowed


@pytest.mark.parametrize("situation", SITUATIONS)
def test_a_signup_submitted_by_someone_else_grants_nothing(client, make_person, frozen_clock,
                                                           situation):
    person = make_person(email="ada@example.com", phone=NUMBER)
    purpose, _proof = _situation(situation, person, frozen_clock)
    before = event_count()
    client.post("/signup", data={"email": "ada@example.com", "name": "",
                                 "topics": ["email:offers"]})
    assert event_count() == before
    assert not may_contact(person.id, *purpose.split(":")).allowed


@pytest.mark.parametrize("writer", API_WRITERS)
def test_withdrawals_always_take_effect_without_evidence(api, make_person, writer):
    person = make_person(email="ada@example.com", phone=NUMBER)
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    db.session.add(Suppression(kind="email", value_hash=person.email_hash, reason="erased"))
    db.session.commit()
    calls = {
        "POST /people": lambda: api.post("/api/v1/people", json={
            "email": person.email, "consents": {"email:offers": False}}),
        "PUT /consent": lambda: api.put(f"/api/v1/people/{person.id}/consent",
                                        json={"email:offers": False}),
        "POST /consent-events": lambda: api.post("/api/v1/consent-events", json={
            "email": person.email, "purpose": "email:offers", "granted": False}),
    }
    response = calls[writer]()
    assert response.status_code == 200
    assert response.json["changed"] == ["email:offers"]


def test_a_refused_request_writes_nothing_at_all(api, make_person):
    """One good grant and one refused one in the same request: neither is written, and a
    new person is not created."""
    response = api.post("/api/v1/people", json={
        "email": "new@example.com", "consents": {"email:offers": True, "post:offers": False}})
    assert response.status_code == 409
    assert db.session.execute(db.select(ConsentEvent)).first() is None
    assert contact_check(api, "new@example.com", "email:offers")["reason"] == "unknown"


@pytest.mark.parametrize("body, field", [
    ({"purpose": "email:offers", "granted": True}, "email"),
    ({"email": "a@example.com", "purpose": "service_messages", "granted": True}, "purpose"),
    ({"email": "a@example.com", "purpose": "email:offers", "granted": "yes"}, "granted"),
    ({"email": "a@example.com", "purpose": "email:offers", "granted": True,
      "captured_at": "yesterday"}, "captured_at"),
    ({"email": "a@example.com", "purpose": "email:offers", "granted": True,
      "captured_at": "2999-01-01T00:00:00Z"}, "captured_at"),
    ({"email": "a@example.com", "purpose": "email:offers", "granted": True,
      "notice_version": "99"}, "notice_version"),
])
def test_bad_consent_events_are_400_naming_the_field(api, make_person, body, field):
    make_person(email="a@example.com")
    response = api.post("/api/v1/consent-events", json=body)
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_a_consent_event_for_an_unknown_address_is_404(api):
    response = api.post("/api/v1/consent-events", json={
        "email": "nobody@example.com", "purpose": "email:offers", "granted": False})
    assert response.status_code == 404 and response.json["error"]


def test_the_person_themselves_needs_no_evidence(make_person):
    person = make_person()
    record_changes(person.id, {"email:offers": False}, Actor(source="one_click"))
    events = record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    assert [e.purpose for e in events] == ["email:offers"]


def test_taking_an_address_off_the_list_leaves_no_current_answer(make_person):
    """A suppression event is in the ledger, but consent_state holds only purposes."""
    from preference_centre.consent import lift_suppression

    person = make_person()
    db.session.add(Suppression(kind="email", value_hash=person.email_hash, reason="erased"))
    db.session.flush()
    assert lift_suppression([person.id], "email", person.email_hash, "register")
    db.session.commit()
    event = history(person.id)[0]
    assert (event.purpose, event.value_hash, event.actor_type) == (
        "suppression:email", crypto.email_hash(person.email), "person")
    assert db.session.execute(db.select(ConsentState)).first() is None
