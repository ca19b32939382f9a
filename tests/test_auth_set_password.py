"""Registering an address we already hold: the password is chosen by whoever reads its mail.

Someone registering an address that has a record without an account (a newsletter sign-up,
a person from the API or an import) or an unfinished registration may not be its owner, so
the password typed at /register is never stored; the address gets a link to choose one.
"""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import AuditEvent, Person
from preference_centre.passwords import verify_secret
from tests.helpers_accounts import links_in, login, register, without_csrf
from tests.helpers_messaging import body_text

INTRUDER = "the intruder's passphrase"
OWNER = "the owner's own passphrase"


def logged_in_with(app, email: str, password: str) -> bool:
    """Whether a fresh browser can log in with this address and password."""
    return login(app.test_client(), email, password).status_code == 302


@pytest.mark.parametrize("origin", ["signup", "api", "import"])
def test_registering_a_held_address_never_makes_the_typed_password_work(
    app, client, mailbox, make_person, origin, link_to, reload
):
    held = make_person(email="eve@example.com", password=None, origin=origin, name="Eve")
    fresh = register(client, "new@example.com")
    claim = register(client, "EVE@example.com", password=INTRUDER, name="Mallory")
    assert claim.status_code == fresh.status_code == 302
    assert claim.headers["Location"] == fresh.headers["Location"]
    pages = [client.get(r.headers["Location"]) for r in (fresh, claim)]
    assert without_csrf(pages[0].data) == without_csrf(pages[1].data)
    held = reload(held)
    assert held.password_hash is None and held.name == "Eve"

    deliver_due()
    mail = mailbox.last_to("eve@example.com")
    # The owner presses whatever the mail offers: the intruder's password never works.
    for url in links_in(mail):
        if "/verify/" in url:
            client.post(url)
    assert not logged_in_with(app, "eve@example.com", INTRUDER)
    assert "choose a password" in body_text(mail).lower()

    path = link_to("eve@example.com", "/set-password/")
    assert client.get(path).status_code == 200
    assert reload(held).password_hash is None, "opening the link alone changes nothing"
    done = client.post(path, data={"password": OWNER})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    held = reload(held)
    assert held.status == "active" and held.email_verified_at is not None
    assert held.origin == origin and held.name == "Eve"
    assert db.session.query(Person).count() == 2  # eve and the fresh registration
    assert logged_in_with(app, "eve@example.com", OWNER)
    assert not logged_in_with(app, "eve@example.com", INTRUDER)
    assert db.session.query(AuditEvent).filter_by(action="password.set").count() == 1


def test_a_second_registration_never_replaces_an_unfinished_one(app, client, mailbox, link_to):
    register(client, "fay@example.com", password="first long password")
    first = link_to("fay@example.com", "/verify/")
    register(client, "fay@example.com", password="second long password", name="Mallory")
    link_to("fay@example.com", "/set-password/")
    assert not logged_in_with(app, "fay@example.com", "second long password")

    assert client.post(first).status_code == 302, "the first registration's link still works"
    assert logged_in_with(app, "fay@example.com", "first long password")
    assert not logged_in_with(app, "fay@example.com", "second long password")


def test_the_mailbox_owner_takes_over_a_registration_someone_else_started(
    app, client, mailbox, link_to
):
    register(client, "gil@example.com", password=INTRUDER)
    started = link_to("gil@example.com", "/verify/")
    register(client, "gil@example.com", password="typed at the register page")
    path = link_to("gil@example.com", "/set-password/")
    assert client.post(path, data={"password": OWNER}).status_code == 302

    assert logged_in_with(app, "gil@example.com", OWNER)
    assert not logged_in_with(app, "gil@example.com", INTRUDER)
    assert client.post(started).status_code == 400, "the earlier confirmation link is dead"
    assert not logged_in_with(app, "gil@example.com", "typed at the register page")


def test_a_weak_password_is_refused_on_the_set_password_page(app, client, mailbox,
                                                             make_person, link_to, reload):
    held = make_person(email="hal@example.com", password=None, origin="signup")
    register(client, "hal@example.com")
    path = link_to("hal@example.com", "/set-password/")
    response = client.post(path, data={"password": "qwerty123"})
    assert response.status_code == 200 and b"too common" in response.data
    assert reload(held).password_hash is None
    assert client.post(path, data={"password": OWNER}).status_code == 302


@pytest.mark.parametrize("mangle", ["reuse", "newer_link_used", "expire", "tamper",
                                    "reset_link"])
def test_bad_set_password_links_change_nothing(app, client, mailbox, make_person,
                                               frozen_clock, mangle, link_to, reload):
    held = make_person(email="ivy@example.com", password=None, origin="signup")
    register(client, "ivy@example.com")
    path = link_to("ivy@example.com", "/set-password/")
    if mangle == "reuse":
        assert client.post(path, data={"password": OWNER}).status_code == 302
    elif mangle == "newer_link_used":
        register(client, "ivy@example.com")
        newer = link_to("ivy@example.com", "/set-password/")
        assert client.post(newer, data={"password": OWNER}).status_code == 302
    elif mangle == "expire":
        frozen_clock.advance(hours=app.config["VERIFY_TOKEN_HOURS"], minutes=1)
    elif mangle == "tamper":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    else:
        make_person(email="jo@example.com")
        client.post("/reset", data={"email": "jo@example.com"})
        reset = link_to("jo@example.com", "/reset/")
        path = reset.replace("/reset/", "/set-password/")
    before = reload(held).password_hash
    for response in (client.get(path), client.post(path, data={"password": INTRUDER})):
        assert response.status_code == 400
        assert ("expired" if mangle == "expire" else "does not work") in response.get_data(
            as_text=True)
    assert reload(held).password_hash == before


def test_a_set_password_link_dies_when_the_address_changes(app, client, auth, mailbox, link_to):
    register(client, "kim@example.com")
    confirm = link_to("kim@example.com", "/verify/")
    register(client, "kim@example.com")
    set_password = link_to("kim@example.com", "/set-password/")
    client.post(confirm)
    assert login(client, "kim@example.com").status_code == 302
    client.post("/account/email", data={"email": "kim@new.example"})
    client.post(link_to("kim@new.example", "/account/email/confirm/"))
    client.post("/logout")

    assert client.post(set_password, data={"password": INTRUDER}).status_code == 400
    assert logged_in_with(app, "kim@new.example", "correct horse battery staple")
    person = db.session.query(Person).one()
    assert not verify_secret(person.password_hash, INTRUDER)


def test_confirming_a_sign_up_never_activates_a_registration_someone_else_started(
    app, client, mailbox, link_to
):
    register(client, "lee@example.com", password=INTRUDER)
    client.post("/signup", data={"email": "lee@example.com", "name": "",
                                 "topics": ["email:offers"]})
    client.post(link_to("lee@example.com", "/signup/confirm/"))
    person = db.session.query(Person).one()
    assert person.status == "active", "the sign-up is confirmed"
    assert not logged_in_with(app, "lee@example.com", INTRUDER)

    register(client, "lee@example.com", password="typed at the register page")
    path = link_to("lee@example.com", "/set-password/")
    assert client.post(path, data={"password": OWNER}).status_code == 302
    assert logged_in_with(app, "lee@example.com", OWNER)
