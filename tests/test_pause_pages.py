"""Pausing, resuming and pacing from the preference pages (account and /p/), and the name and
phone number a person without an account corrects on their /p/ page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from preference_centre.consent import history, may_contact
from preference_centre.consent.pacing import paces, paused_until
from preference_centre.extensions import db
from preference_centre.links import one_click_link, preference_link
from preference_centre.models import AuditEvent, Person
from tests.helpers_accounts import path_of


@pytest.fixture
def link_of(app):
    return lambda person: path_of(preference_link(person.id), app)


def test_a_link_page_pauses_for_three_months_then_resumes_now(client, make_person, link_of,
                                                              frozen_clock, consent):
    person = make_person(email="ada@example.com")
    consent(person, **{"email:offers": True})
    url = link_of(person)
    html = client.get(url).get_data(as_text=True)
    assert "Pause for 3 months" in html and "Stop all marketing" in html
    page = client.post(url, data={"action": "pause", "months": "3"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "It starts again by itself on 24 February 2027" in html
    assert "Resume marketing now" in html
    assert may_contact(person.id, "email", "offers").reason == "paused until 2027-02-24"
    assert history(person.id)[0].source == "email_link"

    page = client.post(url, data={"action": "resume"}, follow_redirects=True)
    assert "Marketing has started again." in page.get_data(as_text=True)
    assert may_contact(person.id, "email", "offers")
    assert [e.new_value for e in history(person.id) if e.purpose == "pause:marketing"] == [
        False, True]


def test_a_pause_that_is_not_offered_changes_nothing(client, make_person, link_of):
    person = make_person()
    page = client.post(link_of(person), data={"action": "pause", "months": "120"},
                       follow_redirects=True)
    assert "Choose a pause of 1, 3 or 6 months" in page.get_data(as_text=True)
    assert paused_until(person.id) is None and history(person.id) == []


def test_the_account_page_pauses_and_says_so_in_the_history(client, make_person, auth,
                                                            frozen_clock):
    person = make_person()
    auth.login(person)
    page = client.post("/account/preferences", data={"action": "pause", "months": "1"},
                       follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Marketing is paused" in html
    assert "you paused all marketing until 24 Dec 2026 (preference page" in html
    assert history(person.id)[0].source == "form"


def test_choosing_at_most_weekly_is_saved_with_the_choices(client, make_person, link_of):
    person = make_person()
    url = link_of(person)
    html = client.get(url).get_data(as_text=True)
    assert 'name="pace:email:offers"' in html and "At most monthly" in html
    page = client.post(url, data={"action": "save", "consent": ["email:offers"],
                                  "pace:email:offers": "weekly"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "You chose at most weekly for Offers by email." in html
    assert paces(person.id)["email:offers"] == "weekly"
    assert '<option value="weekly" selected>' in html


def test_a_pace_that_is_not_offered_changes_nothing(client, make_person, link_of):
    person = make_person()
    page = client.post(link_of(person), data={"action": "save", "consent": ["email:offers"],
                                              "pace:email:offers": "hourly"},
                       follow_redirects=True)
    assert "nothing was changed" in page.get_data(as_text=True)
    assert history(person.id) == []


# Corrections on /p/ ----------------------------------------------------------------------------

def test_someone_without_an_account_corrects_name_and_phone_audited_by_field(
        client, make_person, link_of):
    person = make_person(password=None, name="Ada Lovelance", phone="07700 900111")
    url = link_of(person)
    html = client.get(url).get_data(as_text=True)
    assert "Your name and phone number" in html and 'value="Ada Lovelance"' in html
    page = client.post(url, data={"action": "details", "name": "Ada Lovelace",
                                  "phone": "07700 900222"}, follow_redirects=True)
    assert "Your details were saved." in page.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert (stored.name, stored.phone) == ("Ada Lovelace", "07700 900222")
    audit = db.session.execute(select(AuditEvent.action, AuditEvent.field, AuditEvent.actor_type)
                               .where(AuditEvent.person_id == person.id)).all()
    assert sorted(audit) == [("profile.update", "name", "person"),
                             ("profile.update", "phone", "person")]


def test_a_bad_phone_number_is_explained_and_nothing_is_saved(client, make_person, link_of):
    person = make_person(password=None, name="Ada")
    response = client.post(link_of(person), data={"action": "details", "name": "Someone else",
                                                  "phone": "call me"})
    assert response.status_code == 400
    assert "Enter a phone number like 07700 900123" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "Ada"


def test_an_account_holder_corrects_details_on_the_profile_page_instead(client, make_person,
                                                                        link_of):
    person = make_person(name="Ada")
    url = link_of(person)
    assert "Your name and phone number" not in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"action": "details", "name": "Mallory"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "Ada"


# The one-click page (/u/) --------------------------------------------------------------------

def _unsubscribe_url(app, person, topic="offers"):
    return path_of(one_click_link(person.id, "email", topic, "m1"), app)


def test_the_one_click_page_pauses_and_resumes(app, client, make_person, frozen_clock, consent):
    person = make_person()
    consent(person, **{"email:offers": True})
    url = _unsubscribe_url(app, person)
    html = client.get(url).get_data(as_text=True)
    assert "Pause for 6 months" in html and "Stop all marketing" in html
    assert history(person.id)[0].purpose == "email:offers"  # the GET changed nothing
    page = client.post(url + "/pause", data={"months": "6"})
    assert page.status_code == 200
    assert "until <strong>24 May 2027</strong>" in page.get_data(as_text=True)
    assert may_contact(person.id, "email", "offers").reason == "paused until 2027-05-24"
    event = history(person.id)[0]
    assert (event.purpose, event.source, event.message_ref) == ("pause:marketing",
                                                                "email_link", "m1")
    assert "Resume marketing now" in client.get(url).get_data(as_text=True)
    assert "Marketing has started again" in client.post(url + "/resume").get_data(as_text=True)
    assert may_contact(person.id, "email", "offers")


def test_a_mailbox_providers_one_click_unsubscribes_and_never_pauses(app, client, make_person,
                                                                    consent):
    person = make_person()
    consent(person, **{"email:offers": True})
    response = client.post(_unsubscribe_url(app, person),
                           data={"List-Unsubscribe": "One-Click", "months": "3",
                                 "action": "pause"})
    assert response.status_code == 200
    assert may_contact(person.id, "email", "offers").reason == "no consent"
    assert paused_until(person.id) is None


def test_a_tampered_link_pauses_nothing(app, client, make_person):
    person = make_person()
    url = _unsubscribe_url(app, person)
    response = client.post(url[:-3] + "xyz/pause", data={"months": "3"})
    assert response.status_code == 400
    assert paused_until(person.id) is None
    response = client.post(url + "/pause", data={"months": "2"})
    assert response.status_code == 400 and "Nothing was changed" in response.get_data(
        as_text=True)
