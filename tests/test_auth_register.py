"""Registering: a verified address before the first log-in, and no hint of who is registered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from preference_centre import clock
from preference_centre.auth.registration import purge_unverified_accounts
from preference_centre.extensions import db
from preference_centre.models import Order, OutboxMessage, Person
from preference_centre.passwords import verify_secret
from preference_centre.people import find_person_by_email
from tests.helpers_accounts import DEFAULT_PASSWORD, login, register
from tests.helpers_messaging import body_text


def test_register_verify_then_log_in(app, client, mailbox, link_to, reload):
    response = register(client, "Ada@Example.com", name="Ada Lovelace")
    assert response.status_code == 302
    assert "/check-email" in response.headers["Location"]
    person = find_person_by_email("ada@example.com")
    assert person.status == "pending" and person.origin == "register"

    refused = login(client, "ada@example.com")
    assert refused.status_code == 200
    assert b"confirm your email address first" in refused.data
    assert b"Send a new link" in refused.data

    path = link_to("Ada@Example.com", "/verify/")
    page = client.get(path)
    assert page.status_code == 200
    assert reload(person).status == "pending", "opening the link alone changes nothing"
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert reload(person).status == "active"
    assert reload(person).email_verified_at is not None

    response = login(client, "ada@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert b"Ada Lovelace" in client.get("/account").data


def test_resend_verification_sends_a_new_link(app, client, mailbox, link_to):
    register(client, "bo@example.com")
    response = client.post("/verify/resend", data={"email": "bo@example.com"})
    assert response.status_code == 302
    link_to("bo@example.com", "/verify/")
    assert len(mailbox.to("bo@example.com")) == 2


@pytest.mark.parametrize("mangle", ["reuse", "tamper", "expire"])
def test_bad_verification_links_change_nothing(
        app, client, mailbox, frozen_clock, mangle, link_to, reload):
    register(client, "cy@example.com")
    path = link_to("cy@example.com", "/verify/")
    if mangle == "reuse":
        assert client.post(path).status_code == 302
        before = reload(find_person_by_email("cy@example.com")).email_verified_at
    elif mangle == "tamper":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    else:
        frozen_clock.advance(hours=app.config["VERIFY_TOKEN_HOURS"], minutes=1)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert ("expired" if mangle == "expire" else "does not work") in text
    person = reload(find_person_by_email("cy@example.com"))
    if mangle == "reuse":
        assert person.email_verified_at == before
    else:
        assert person.status == "pending"


def test_registering_a_known_address_tells_its_owner_instead(
        app, client, mailbox, make_person, link_to, reload):
    owner = make_person(email="dee@example.com")
    original_hash = owner.password_hash
    fresh = register(client, "new@example.com")
    known = register(client, "DEE@example.com", password="another long password")
    assert known.status_code == fresh.status_code == 302
    assert known.headers["Location"] == fresh.headers["Location"]
    assert reload(owner).password_hash == original_hash
    link_to("new@example.com", "/verify/")
    notice = mailbox.last_to("dee@example.com")
    assert "already have one" in body_text(notice)
    assert "/verify/" not in body_text(notice)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, b"Enter an email address like"),
        ({"email": "a@example.com\r\nBcc: b@example.com"}, b"without line breaks"),
        ({"name": "Ada\nBcc: x@example.com"}, b"without line breaks"),
        ({"name": "x" * 201}, b"at most 200"),
        ({"password": "short"}, b"at least 8"),
        ({"password": "password1"}, b"too common"),
        ({"password": "x" * 1001}, b"at most 1,000"),
    ],
)
def test_register_refuses_bad_input(app, client, mailbox, data, message):
    form = {"email": "gil@example.com", "password": DEFAULT_PASSWORD, **data}
    response = client.post("/register", data=form)
    assert response.status_code == 200
    assert message in response.data
    assert db.session.query(Person).count() == 0
    assert db.session.query(OutboxMessage).count() == 0


def test_a_script_in_a_name_is_shown_as_text(app, client, mailbox, link_to):
    register(client, "hal@example.com", name="<script>alert(1)</script>")
    client.post(link_to("hal@example.com", "/verify/"))
    login(client, "hal@example.com")
    page = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_purge_deletes_only_stale_bare_registrations(app, make_person, frozen_clock, reload):
    stale = make_person(email="old@example.com", status="pending")
    customer = make_person(email="buyer@example.com", status="pending")
    db.session.add(Order(person_id=customer.id, reference="A-1", product="Broadband",
                         amount_pence=100))
    subscriber = make_person(email="news@example.com", status="pending", origin="signup",
                             password=None)
    verified = make_person(email="ok@example.com")
    db.session.commit()
    frozen_clock.advance(days=3)
    recent = make_person(email="recent@example.com", status="pending")
    frozen_clock.advance(days=4, minutes=1)

    assert purge_unverified_accounts(clock.utcnow()) == 1
    db.session.commit()
    remaining = {p.email for p in db.session.query(Person)}
    assert "old@example.com" not in remaining
    assert remaining == {"buyer@example.com", "news@example.com", "ok@example.com",
                         "recent@example.com"}
    assert stale and subscriber and verified and recent
    assert verify_secret(reload(verified).password_hash, DEFAULT_PASSWORD)
    assert purge_unverified_accounts(clock.utcnow() + timedelta(days=1)) == 0


def test_after_confirming_the_address_the_log_in_form_has_it_filled_in(app, client, link_to):
    register(client, "cleo@example.com")
    confirmed = client.post(link_to("cleo@example.com", "/verify/"))
    # Never in the address: it would end up in logs and browser histories.
    assert "cleo" not in confirmed.headers["Location"]
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert 'value="cleo@example.com"' in page
    # Once: a later visit to the log-in page starts empty.
    assert 'value="cleo@example.com"' not in client.get("/login").get_data(as_text=True)
