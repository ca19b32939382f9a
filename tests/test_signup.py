"""``/signup``: double opt-in, nothing consented before confirmation, nothing revealed."""

from __future__ import annotations

import re

import pytest

from preference_centre import clock
from preference_centre.consent import current_state, history, may_contact
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import ConsentEvent, Person, Suppression
from preference_centre.people import find_person_by_email
from preference_centre.signup.services import purge_unconfirmed_signups
from tests.helpers_messaging import body_text
from tests.helpers_preferences import checkboxes


def sign_up(client, email="lin@example.com", topics=("email:offers",), **extra):
    return client.post("/signup", data={"email": email, "name": extra.pop("name", ""),
                                        "topics": list(topics), **extra})


def confirmation_path(mailbox, address="lin@example.com") -> str:
    deliver_due()
    text = body_text(mailbox.last_to(address))
    return re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", text).group(1)


def test_the_form_starts_with_every_topic_unticked(client):
    html = client.get("/signup").get_data(as_text=True)
    assert checkboxes(html, "topics") == {"email:offers": False, "email:updates": False,
                                          "email:policy": False}
    assert "Leave this field empty" in html and 'class="hp-field"' in html


def test_no_consent_until_the_person_confirms(client, mailbox, frozen_clock):
    response = sign_up(client, topics=["email:offers", "email:policy"], name="Lin")
    assert response.status_code == 303
    person = find_person_by_email("lin@example.com")
    assert (person.status, person.origin, person.password_hash) == ("pending", "signup", None)
    assert history(person.id) == []
    assert not may_contact(person.id, "email", "offers")

    path = confirmation_path(mailbox)
    page = client.get(path)  # a mail scanner following the link changes nothing
    assert "Confirm my sign-up" in page.get_data(as_text=True)
    assert history(person.id) == []

    done = client.post(path)
    assert "your sign-up is confirmed" in done.get_data(as_text=True)
    db.session.refresh(person)
    assert person.status == "active" and person.email_verified_at is not None
    events = history(person.id)
    assert {e.purpose for e in events} == {"email:offers", "email:policy"}
    assert {(e.source, e.notice_version, e.actor_type) for e in events} == {
        ("signup", "1", "person")}
    assert may_contact(person.id, "email", "offers")
    assert not may_contact(person.id, "email", "updates")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, BASE_URL="https://prefs.example.com")
def test_over_https_the_confirmation_form_passes_the_strict_csrf_check(app, mailbox):
    # Over HTTPS Flask-WTF wants a same-site Referer; a browser sends one only if the page's
    # referrer policy allows it. Post as the browser would under the page's own policy.
    client = app.test_client()
    base = "https://prefs.example.com"
    form = client.get("/signup", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/signup", base_url=base, headers={"Referer": base + "/signup"},
                data={"email": "lin@example.com", "topics": ["email:offers"], "csrf_token": token})
    path = confirmation_path(mailbox)
    page = client.get(path, base_url=base)
    html = page.get_data(as_text=True)
    policy = re.search(r'<meta name="referrer" content="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    headers = {} if policy == "no-referrer" else {"Referer": base + path}
    done = client.post(path, base_url=base, data={"csrf_token": token}, headers=headers)
    assert "your sign-up is confirmed" in done.get_data(as_text=True)


def test_confirming_twice_is_harmless(client, mailbox):
    sign_up(client)
    path = confirmation_path(mailbox)
    client.post(path)
    second = client.post(path)
    assert second.status_code == 200
    person = find_person_by_email("lin@example.com")
    assert len(history(person.id)) == 1


def test_an_old_confirmation_does_not_undo_a_later_withdrawal(client, mailbox, frozen_clock,
                                                               auth):
    sign_up(client)
    path = confirmation_path(mailbox)
    client.post(path)
    person = find_person_by_email("lin@example.com")
    frozen_clock.advance(minutes=5)
    from preference_centre.consent import Actor, record_change

    record_change(person.id, "email:offers", False, Actor(source="one_click"))
    db.session.commit()
    frozen_clock.advance(minutes=5)
    client.post(path)
    assert current_state(person.id)["email:offers"] is False


def test_signing_up_again_for_a_confirmed_address_changes_nothing(client, mailbox,
                                                                   make_person):
    person = make_person(email="lin@example.com", name="Lin Original")
    first = sign_up(client, email="new@example.com")
    again = sign_up(client, email="LIN@example.com", topics=["email:updates"], name="Impostor")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    db.session.refresh(person)
    assert (person.status, person.name, person.origin) == ("active", "Lin Original", "register")
    assert history(person.id) == []
    assert current_state(person.id)["email:updates"] is False


def test_the_honeypot_stores_nothing_and_answers_the_same(client, mailbox):
    response = sign_up(client, email="bot@example.com", website="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/signup/sent")
    assert find_person_by_email("bot@example.com") is None
    deliver_due()
    assert not mailbox.to("bot@example.com")


@pytest.mark.parametrize("data", [{"email": ""}, {"email": "no-at-sign"},
                                  {"email": "a@example.com", "topics": ["sms:offers"]}])
def test_bad_input_is_a_form_error_and_stores_nothing(client, data):
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert db.session.execute(db.select(Person)).first() is None


def test_an_erased_address_may_sign_up_again_by_confirming(client, mailbox, app):
    from preference_centre.crypto import email_hash

    db.session.add(Suppression(kind="email", value_hash=email_hash("lin@example.com"),
                               reason="erased"))
    db.session.commit()
    sign_up(client)
    person = find_person_by_email("lin@example.com")
    assert not may_contact(person.id, "email", "offers")
    html = client.post(confirmation_path(mailbox)).get_data(as_text=True)
    assert "taken it off that list" in html
    assert db.session.execute(db.select(Suppression)).first() is None
    assert may_contact(person.id, "email", "offers")


def test_a_broken_confirmation_link_is_a_400_page(client):
    response = client.post("/signup/confirm/not-a-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_unconfirmed_signups_are_purged_after_seven_days(client, mailbox, frozen_clock,
                                                         make_person):
    sign_up(client, email="old@example.com")
    confirmed = make_person(email="kept@example.com", password=None, origin="signup")
    frozen_clock.advance(days=6)
    sign_up(client, email="young@example.com")
    assert purge_unconfirmed_signups(clock.utcnow()) == 0
    frozen_clock.advance(days=1, seconds=1)
    assert purge_unconfirmed_signups(clock.utcnow()) == 1
    db.session.commit()
    assert find_person_by_email("old@example.com") is None
    assert find_person_by_email("young@example.com") is not None
    assert db.session.get(Person, confirmed.id) is not None
    assert db.session.execute(db.select(ConsentEvent)).first() is None


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_signup_is_rate_limited(client):
    codes = [sign_up(client, email=f"r{n}@example.com").status_code for n in range(6)]
    assert codes[:5] == [303] * 5 and codes[5] == 429


def test_a_sign_up_without_a_topic_is_refused_with_an_error_summary(client, mailbox):
    response = sign_up(client, email="nil@example.com", topics=())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'href="#topics-0"' in html and 'id="topics-0"' in html
    assert "Choose at least one topic to hear about." in html
    assert find_person_by_email("nil@example.com") is None
    deliver_due()
    assert not mailbox.to("nil@example.com")


def test_the_intro_promises_what_the_form_offers(client):
    html = client.get("/signup").get_data(as_text=True)
    lead = html.split('class="lead">', 1)[1].split("</p>", 1)[0]
    assert "prize draw" not in lead and "newsletter" not in lead.lower()
    for words in ("offers", "website and app", "deadlines and policy changes"):
        assert words in lead


def test_the_confirmation_mail_says_it_was_sent_because_they_asked(client, mailbox):
    sign_up(client)
    deliver_due()
    text = body_text(mailbox.last_to("lin@example.com"))
    assert "because you asked us for it (a sign-up" in text
