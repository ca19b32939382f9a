"""What the preference pages ask, and how they read: a tick in the table always means yes,
only what we can use is asked (and only that changes), stop-all is confirmed first, and the
history reads newest first with the time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from preference_centre.consent import Actor, current_state, history, record_changes
from preference_centre.extensions import db
from preference_centre.links import preference_link
from preference_centre.models import Order
from preference_centre.preferences.history import date_and_time
from tests.helpers_preferences import checkboxes

MATRIX = re.compile(r'<table class="pref-matrix">.*?</table>', re.S)


def link_path(person) -> str:
    return preference_link(person.id).split("127.0.0.1:5000", 1)[1]


@pytest.fixture
def customer(make_person, frozen_clock):
    """An account holder with a phone number, a postal address and an order."""
    person = make_person(email="ada@example.com", phone="07700900123")
    person.address = "12 Analytical Row, London N1 1AA"  # new_person's "address" is the email
    db.session.add(Order(person_id=person.id, reference="AC-1", product="Fibre 500",
                         amount_pence=3499))
    db.session.commit()
    return person


@pytest.fixture
def subscriber(make_person, frozen_clock):
    """Signed up for the newsletter only: an email address, no account, no orders."""
    return make_person(email="news@example.com", password=None, origin="signup")


# A tick means yes ------------------------------------------------------------------------

def test_every_box_in_the_table_is_a_yes_and_objections_are_worded_apart(client, customer):
    html = client.get(link_path(customer)).get_data(as_text=True)
    [table] = MATRIX.findall(html)
    assert 'name="object"' not in table
    assert set(checkboxes(table, "consent")) >= {"email:offers", "sms:policy"}
    assert "Post" not in table and "Phone" not in table
    outside = html.replace(table, "")
    assert set(checkboxes(outside, "object")) == {"post:offers", "phone:offers",
                                                  "security_monitoring"}
    assert "Things we do unless you object" in outside
    assert "I object to offers by post" in outside  # the title in sentence case
    assert "Tick to stop them. We send them unless you object." in outside


def test_a_box_in_the_table_keeps_its_full_name_for_screen_readers(client, customer):
    html = client.get(link_path(customer)).get_data(as_text=True)
    label = re.search(r'<label for="pc-sms-updates"[^>]*>(.*?)</label>', html).group(1)
    assert re.sub(r"<[^>]+>", "", label) == "Website and app updates by text message"
    assert '<span class="cell-topic">Website and app updates</span>' in label


# Only what we can use is asked, and only that changes -------------------------------------

def test_a_sign_up_only_person_is_asked_about_email_not_text_phone_post_or_sign_ins(
        client, subscriber):
    html = client.get(link_path(subscriber)).get_data(as_text=True)
    assert set(checkboxes(html, "consent")) == {"email:offers", "email:updates",
                                               "email:policy", "ads:personalised",
                                               "profiling"}
    assert checkboxes(html, "object") == {}
    for absent in ("Text message", "I object", "Messages about your orders",
                   "What we always do"):
        assert absent not in html


def test_each_detail_we_hold_brings_its_own_choices(client, customer, auth):
    html = client.get(link_path(customer)).get_data(as_text=True)
    assert {"sms:offers", "sms:updates", "sms:policy"} <= set(checkboxes(html, "consent"))
    assert "Messages about your orders" in html
    auth.login(customer)
    html = client.get("/account/preferences").get_data(as_text=True)
    assert "security_monitoring" in checkboxes(html, "object")


def test_saving_leaves_a_stored_objection_the_page_did_not_show_as_it_was(client, subscriber,
                                                                         consent):
    consent(subscriber, **{"post:offers": False, "phone:offers": False})
    text = client.post(link_path(subscriber), data={"consent": ["email:offers"]},
                       follow_redirects=True).get_data(as_text=True)
    assert "You turned on Offers by email." in text
    assert "withdrew" not in text
    state = current_state(subscriber.id)
    assert state["post:offers"] is False and state["phone:offers"] is False
    assert [e.purpose for e in history(subscriber.id)][0] == "email:offers"
    assert len(history(subscriber.id)) == 3


def test_a_posted_choice_the_page_did_not_offer_changes_nothing(client, subscriber):
    text = client.post(link_path(subscriber), data={"consent": ["sms:offers", "email:offers"]},
                       follow_redirects=True).get_data(as_text=True)
    assert "nothing was changed" in text
    assert history(subscriber.id) == []


# Stop all marketing is confirmed first -----------------------------------------------------

def test_stop_all_on_the_link_page_says_what_will_stop_and_can_be_cancelled(client, subscriber,
                                                                          consent):
    consent(subscriber, **{"email:offers": True})
    url = link_path(subscriber)
    response = client.post(url, data={"action": "stop_all"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Stop all marketing?" in html
    stopping = re.search(r'<ul class="stopping">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", stopping) == ["Offers by email"]
    assert f'<a class="button button-secondary" href="{url}">Cancel</a>' in html
    assert current_state(subscriber.id)["email:offers"] is True
    client.post(url, data={"action": "stop_all_confirmed"})
    state = current_state(subscriber.id)
    assert state["email:offers"] is False and state["post:offers"] is False


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_stop_all_on_the_account_page_needs_the_forms_csrf_token(client, customer, auth,
                                                               consent):
    auth.login(customer)
    consent(customer, **{"email:offers": True})
    assert client.post("/account/preferences",
                       data={"action": "stop_all_confirmed"}).status_code == 400
    page = client.get("/account/preferences").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    html = client.post("/account/preferences",
                       data={"action": "stop_all", "csrf_token": token}).get_data(as_text=True)
    assert "Offers by email" in html and "Offers by post" in html
    confirm = html.split('action="/account/preferences"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in confirm and 'value="stop_all_confirmed"' in confirm
    assert current_state(customer.id)["email:offers"] is True
    client.post("/account/preferences", data={"action": "stop_all_confirmed",
                                              "csrf_token": token})
    assert current_state(customer.id)["email:offers"] is False


# The history --------------------------------------------------------------------------------

def test_the_history_reads_newest_first_with_the_time_and_names_an_undo(
        client, customer, auth, frozen_clock):
    auth.login(customer)
    record_changes(customer.id, {"email:offers": True}, Actor(source="form"))
    frozen_clock.advance(minutes=65)
    record_changes(customer.id, {"email:offers": False}, Actor(source="one_click"))
    frozen_clock.advance(minutes=1)
    record_changes(customer.id, {"email:offers": True}, Actor(source="undo"))
    db.session.commit()
    html = client.get("/account/preferences").get_data(as_text=True)
    assert "reversed" not in html and '<ul class="history">' in html
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(On .*?)</li>", html)]
    assert lines == [
        "On 24 Nov 2026, 13:06 you turned on Offers by email (undo of an unsubscribe, "
        "privacy notice v1)",
        "On 24 Nov 2026, 13:05 you turned off Offers by email (one-click unsubscribe, "
        "privacy notice v1)",
        "On 24 Nov 2026, 12:00 you turned on Offers by email (preference page, "
        "privacy notice v1)",
    ]


def test_history_times_are_uk_times():
    assert date_and_time(datetime(2026, 7, 1, 14, 5, tzinfo=UTC)) == "1 Jul 2026, 15:05"
    assert date_and_time(datetime(2026, 12, 1, 14, 5, tzinfo=UTC)) == "1 Dec 2026, 14:05"
