"""A STOP holds for a number whoever holds it and whoever asks, until START or the person's
own tick; an erased person who comes back and confirms the address counts again; a stranger's
password never goes live on a record someone else attached data to."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre import crypto
from preference_centre.consent import Actor, audience, history, may_contact, record_changes
from preference_centre.consent.decisions import may_contact_many
from preference_centre.data_rights.erasure import erase_person
from preference_centre.extensions import db
from preference_centre.models import Person, Suppression
from preference_centre.people import find_person_by_email
from tests.helpers_accounts import DEFAULT_PASSWORD, login, register
from tests.helpers_api import EVIDENCE
from tests.helpers_messaging import body_text

SECRET = "inbound-shared-secret-" + "s" * 20
NUMBER = "07700 900123"


def reply(client: Any, text: str, number: str = NUMBER) -> Any:
    response = client.post("/sms/inbound", data={"from": number, "text": text},
                           headers={"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    db.session.expire_all()
    return response


# STOP and START -------------------------------------------------------------------------------

DECIDERS = {
    "may_contact": lambda pid: may_contact(pid, "sms", "offers").allowed,
    "may_contact_many": lambda pid: may_contact_many([pid], "sms", "offers")[pid].allowed,
    "audience": lambda pid: pid in db.session.execute(audience("sms", "offers")).scalars().all(),
}


def _texter_who_later_holds_the_stopped_number(make_person: Any, client: Any) -> Person:
    """Ticked offers by text themselves, then took a number that had replied STOP."""
    person = make_person(email="ada@example.com")
    record_changes(person.id, {"sms:offers": True, "email:offers": True}, Actor(source="form"))
    db.session.commit()
    reply(client, "STOP")
    person = db.session.get(Person, person.id)
    person.phone, person.phone_hash = NUMBER, crypto.phone_hash(NUMBER)
    db.session.commit()
    return person


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("decider", DECIDERS)
def test_a_stopped_number_gets_no_marketing_text_whoever_holds_it(client, make_person, decider):
    person = _texter_who_later_holds_the_stopped_number(make_person, client)
    assert DECIDERS[decider](person.id) is False
    assert may_contact(person.id, "sms", "offers").reason == "the number replied STOP"
    assert may_contact(person.id, "email", "offers").allowed, "email is another channel"


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("decider", DECIDERS)
def test_the_holder_at_stop_time_stays_stopped_after_a_new_grant_by_others(
        client, api, make_person, frozen_clock, decider):
    person = make_person(email="ada@example.com", phone=NUMBER)
    record_changes(person.id, {"sms:offers": True}, Actor(source="form"))
    db.session.commit()
    reply(client, "STOP")
    frozen_clock.advance(hours=1)
    proof = {**EVIDENCE, "captured_at": frozen_clock.now.isoformat()}
    frozen_clock.advance(hours=1)
    refused = api.put(f"/api/v1/people/{person.id}/consent",
                      json={"consents": {"sms:offers": True}, **proof})
    assert refused.status_code == 409 and "STOP" in refused.json["error"]
    assert DECIDERS[decider](person.id) is False


def _holder_at_stop_time(make_person: Any, client: Any) -> Person:
    person = make_person(email="ada@example.com", phone=NUMBER)
    record_changes(person.id, {"sms:offers": True}, Actor(source="form"))
    db.session.commit()
    reply(client, "STOP")
    return person


def _tick(client: Any, person: Person) -> None:
    record_changes(person.id, {"sms:offers": True}, Actor(source="form"))
    db.session.commit()


ENDINGS = {  # how it ends: (who, what they do)
    "START": (_texter_who_later_holds_the_stopped_number, lambda c, p: reply(c, "START")),
    "UNSTOP": (_texter_who_later_holds_the_stopped_number,
               lambda c, p: reply(c, " unstop. ")),
    "the person's own tick": (_holder_at_stop_time, _tick),
}


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("decider", DECIDERS)
def test_start_or_the_persons_own_tick_ends_a_stop(client, make_person, decider, ending):
    who, act = ENDINGS[ending]
    person = who(make_person, client)
    assert DECIDERS[decider](person.id) is False
    act(client, person)
    db.session.expire_all()
    assert DECIDERS[decider](person.id) is True
    assert db.session.execute(db.select(Suppression)).first() is None
    lifted = [e for e in history(person.id) if e.purpose == "suppression:phone"]
    assert [(e.value_hash, e.actor_type) for e in lifted] == [
        (crypto.phone_hash(NUMBER), "person")]


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_start_leaves_what_stop_refused_refused(client, make_person):
    person = make_person(email="ada@example.com", phone=NUMBER)
    record_changes(person.id, {"sms:offers": True}, Actor(source="form"))
    db.session.commit()
    reply(client, "STOP")
    assert "no longer stopped" in reply(client, "START").get_data(as_text=True)
    assert may_contact(person.id, "sms", "offers").reason == "no consent"


# People who come back -------------------------------------------------------------------------

def _erased(make_person: Any, address: str = "ada@example.com") -> None:
    person = make_person(email=address)
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    erase_person(person.id, "person", notify=False)
    db.session.commit()


def _contact_check(api: Any) -> dict[str, Any]:
    return api.post("/api/v1/contact-check", json={
        "email": "ada@example.com", "channel": "email", "topic": "offers"}).json


def test_an_erased_person_who_registers_again_and_ticks_offers_may_be_contacted(
        app, client, api, make_person, mailbox, auth, link_to):
    _erased(make_person)
    register(client, "ada@example.com")
    refused = api.post("/api/v1/people", json={
        "email": "ada@example.com", "consents": {"email:offers": True}, **EVIDENCE})
    assert refused.status_code == 409, "other systems still cannot re-subscribe"
    assert client.post(link_to("ada@example.com", "/verify/")).status_code == 302
    person = find_person_by_email("ada@example.com")
    assert person.has_account and person.status == "active"
    auth.login(person)
    page = client.post("/account/preferences", data={"action": "save",
                                                     "consent": ["email:offers"]},
                       follow_redirects=True).get_data(as_text=True)
    assert "You turned on Offers by email" in page
    assert _contact_check(api) == {"allowed": True, "reason": "consent given"}
    lifted = [e for e in history(person.id) if e.purpose == "suppression:email"]
    assert [(e.source, e.actor_type, e.value_hash) for e in lifted] == [
        ("register", "person", crypto.email_hash("ada@example.com"))]
    assert "ada" not in repr([(e.actor_id, e.message_ref, e.wording) for e in lifted])


def test_an_erased_person_who_signs_up_again_is_recorded_the_same_way(
        app, client, api, make_person, mailbox):
    import re

    _erased(make_person)
    client.post("/signup", data={"email": "ada@example.com", "name": "",
                                 "topics": ["email:offers"]})
    from preference_centre.messaging import deliver_due

    deliver_due()
    path = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)",
                     body_text(mailbox.last_to("ada@example.com"))).group(1)
    assert "taken it off that list" in client.post(path).get_data(as_text=True)
    person = find_person_by_email("ada@example.com")
    assert _contact_check(api)["allowed"] is True
    lifted = [e for e in history(person.id) if e.purpose == "suppression:email"]
    assert [(e.source, e.value_hash) for e in lifted] == [
        ("signup", crypto.email_hash("ada@example.com"))]


def test_a_grant_captured_before_the_person_came_back_is_refused(
        app, client, api, make_person, mailbox, frozen_clock, link_to):
    old = frozen_clock.now.isoformat()
    _erased(make_person)
    frozen_clock.advance(days=30)
    register(client, "ada@example.com")
    client.post(link_to("ada@example.com", "/verify/"))
    frozen_clock.advance(hours=1)
    stale = api.post("/api/v1/people", json={
        "email": "ada@example.com", "consents": {"email:offers": True},
        **{**EVIDENCE, "captured_at": old}})
    assert stale.status_code == 409
    assert _contact_check(api)["allowed"] is False


# A stranger's password on someone else's data ---------------------------------------------

def test_data_attached_to_a_pending_registration_drops_the_typed_password(
        app, client, api, mailbox, link_to, reload):
    register(client, "victim@example.com", password="Stranger-chose-this-1")
    verify_path = link_to("victim@example.com", "/verify/")
    person_id = api.post("/api/v1/people", json={"email": "victim@example.com"}).json[
        "person_id"]
    order = {"person_id": person_id, "reference": "V-1", "product": "Fibre",
             "amount_pence": 100}
    assert api.post("/api/v1/orders", json=order).status_code == 201
    confirmed = client.post(verify_path)
    assert confirmed.status_code == 302
    assert "/set-password/" in confirmed.headers["Location"]
    person = db.session.get(Person, person_id)
    reload(person)
    assert person.password_hash is None and person.status == "active"
    assert login(client, "victim@example.com", "Stranger-chose-this-1").status_code == 200
    chosen = client.post(confirmed.headers["Location"],
                         data={"password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD})
    assert chosen.status_code == 302
    assert login(client, "victim@example.com").status_code == 302


def test_a_registration_with_nothing_attached_keeps_its_password(app, client, mailbox, link_to):
    register(client, "fresh@example.com")
    confirmed = client.post(link_to("fresh@example.com", "/verify/"))
    assert confirmed.headers["Location"].endswith("/login")
    assert login(client, "fresh@example.com").status_code == 302
