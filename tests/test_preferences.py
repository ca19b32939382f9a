"""The account preference page: unticked consent, objections, stop-all, history, changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from preference_centre import clock
from preference_centre.consent import current_state, history, may_contact
from preference_centre.extensions import db
from preference_centre.models import Order
from tests.helpers_preferences import checkboxes, controls

CONSENT_KEYS = {"email:offers", "email:updates", "email:policy", "sms:offers", "sms:updates",
                "sms:policy", "ads:personalised", "profiling", "cookies:analytics",
                "cookies:marketing"}
OBJECTION_KEYS = {"post:offers", "phone:offers", "security_monitoring"}


@pytest.fixture
def person(make_person, auth, frozen_clock):
    """A customer we hold a phone number and a postal address for: every channel is asked."""
    someone = make_person(email="ada@example.com", phone="07700900123")
    someone.address = "12 Analytical Row, London N1 1AA"  # new_person's "address" is the email
    db.session.commit()
    auth.login(someone)
    return someone


def save(client, consent=(), objected=()):
    return client.post("/account/preferences",
                       data={"action": "save", "consent": list(consent), "object": list(objected)},
                       follow_redirects=True)


def test_a_new_person_sees_every_consent_box_unticked(client, person):
    html = client.get("/account/preferences").get_data(as_text=True)
    boxes = checkboxes(html, "consent")
    assert set(boxes) == CONSENT_KEYS
    assert not any(boxes.values())
    objections = checkboxes(html, "object")
    assert set(objections) == OBJECTION_KEYS
    assert not any(objections.values())
    assert "We send them unless you object" in html


def test_every_control_has_a_visible_label_and_contract_purposes_are_not_offered(client, person):
    db.session.add(Order(person_id=person.id, reference="AC-1", product="Fibre 500",
                         amount_pence=3499))  # what we always do is told to people with orders
    db.session.commit()
    html = client.get("/account/preferences").get_data(as_text=True)
    parsed = controls(html)
    for field in parsed.inputs:
        if field.get("type") == "checkbox":
            assert field["id"] in parsed.label_for, field
    assert "service_messages" not in {i.get("value") for i in parsed.inputs}
    assert "Messages about your orders" in html


def test_ticking_a_box_records_who_when_how_and_which_notice(client, person):
    response = save(client, consent=["email:offers"])
    assert "You turned on Offers by email." in response.get_data(as_text=True)
    state = current_state(person.id)
    assert state["email:offers"] is True
    assert state["sms:offers"] is False
    [event] = history(person.id)
    assert (event.purpose, event.old_value, event.new_value) == ("email:offers", None, True)
    assert event.source == "form"
    assert (event.actor_type, event.actor_id) == ("person", str(person.id))
    assert event.notice_version == "1"
    assert event.occurred_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert event.ip_prefix == "127.0.0.0/24"
    assert may_contact(person.id, "email", "offers")


def test_a_post_without_a_box_leaves_it_refused(client, person):
    response = save(client)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert history(person.id) == []
    assert current_state(person.id)["email:offers"] is False
    assert not may_contact(person.id, "email", "offers")


def test_the_page_shows_exactly_what_changed(client, person):
    save(client, consent=["email:offers", "sms:updates"])
    text = save(client, consent=["email:offers"], objected=["post:offers"]).get_data(as_text=True)
    assert "You turned off Website and app updates by text message." in text
    assert "You objected to Offers by post." in text
    assert "You turned on Offers by email." not in text


def test_objecting_stops_legitimate_interests_marketing(client, person):
    assert may_contact(person.id, "post", "offers")
    save(client, objected=["post:offers"])
    decision = may_contact(person.id, "post", "offers")
    assert not decision and decision.reason == "objected"
    html = client.get("/account/preferences").get_data(as_text=True)
    assert checkboxes(html, "object")["post:offers"] is True


def test_stop_all_marketing_is_one_action_and_history_shows_both(client, person, frozen_clock):
    save(client, consent=["email:offers", "sms:policy", "ads:personalised", "cookies:analytics"])
    frozen_clock.advance(days=2)
    asked = client.post("/account/preferences", data={"action": "stop_all"})
    assert asked.status_code == 200 and "Stop all marketing?" in asked.get_data(as_text=True)
    assert current_state(person.id)["email:offers"] is True  # nothing stops before confirming
    text = client.post("/account/preferences", data={"action": "stop_all_confirmed"},
                       follow_redirects=True).get_data(as_text=True)
    for channel, topic in [("email", "offers"), ("sms", "policy"), ("post", "offers"),
                           ("phone", "offers")]:
        assert not may_contact(person.id, channel, topic)
    state = current_state(person.id)
    assert state["ads:personalised"] is False and state["profiling"] is False
    assert state["cookies:analytics"] is True  # not marketing
    seen = '(preference page, <a href="/privacy/1">privacy notice v1</a>)'
    assert f"On 24 Nov 2026, 12:00 you turned on Offers by email {seen}" in text
    assert f"On 26 Nov 2026, 12:00 you turned off Offers by email {seen}" in text
    assert "On 26 Nov 2026, 12:00 you objected to Offers by phone" in text


def test_a_key_the_form_does_not_offer_changes_nothing(client, person):
    for data in ({"consent": ["email:offers", "service_messages"]},
                 {"consent": ["post:offers"]}, {"object": ["email:offers"]},
                 {"consent": ["sharing:nobody"]}):
        text = client.post("/account/preferences", data=data,
                           follow_redirects=True).get_data(as_text=True)
        assert "nothing was changed" in text
    assert history(person.id) == []


def test_a_restricted_person_can_withdraw_but_not_grant(client, person):
    save(client, consent=["email:offers"])
    person.restricted_at = clock.utcnow()
    db.session.commit()
    text = save(client, consent=["sms:offers"]).get_data(as_text=True)
    assert "You turned off Offers by email." in text
    assert "you can withdraw or object, but not turn anything on" in text
    state = current_state(person.id)
    assert state["email:offers"] is False and state["sms:offers"] is False


@pytest.mark.app_config(SHARING_PARTNERS=[{"key": "acme", "name": "Acme Insurance",
                                           "receives": "your name and email address"}])
def test_each_configured_partner_gets_its_own_unticked_box(client, person):
    html = client.get("/account/preferences").get_data(as_text=True)
    assert checkboxes(html, "consent")["sharing:acme"] is False
    assert "Acme Insurance would receive: your name and email address." in html
    save(client, consent=["sharing:acme"])
    assert current_state(person.id)["sharing:acme"] is True


def test_the_page_needs_a_login(client):
    response = client.get("/account/preferences")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_saving_cookie_choices_on_the_page_sets_this_browsers_cookie(client, person):
    response = client.post("/account/preferences", data={"consent": ["cookies:analytics"]})
    assert "cookie_choice=1.a1.m0" in response.headers["Set-Cookie"]
