"""Password reset: the same answer for every address, single-use timed links."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.models import AuditEvent
from preference_centre.passwords import verify_secret
from tests.helpers_accounts import DEFAULT_PASSWORD, login, without_csrf

NEW_PASSWORD = "a brand new passphrase"


def test_known_and_unknown_addresses_get_the_same_answer(
        app, client, mailbox, make_person, link_to):
    make_person(email="ada@example.com")
    make_person(email="news@example.com", password=None, origin="signup")
    answers = [client.post("/reset", data={"email": address}, follow_redirects=True)
               for address in ("ada@example.com", "nobody@example.com", "news@example.com")]
    assert {a.status_code for a in answers} == {200}
    assert len({without_csrf(a.data) for a in answers}) == 1
    assert b"If there is an account with that address" in answers[0].data
    link_to("ada@example.com", "/reset/")
    assert [str(m["To"]) for m in mailbox.messages] == ["ada@example.com"]


def test_reset_sets_the_password_and_ends_every_sign_in(
        app, client, mailbox, make_person, auth, link_to, reload):
    person = make_person(email="bo@example.com")
    elsewhere = app.test_client()
    auth.login(person, client=elsewhere)
    assert elsewhere.get("/account").status_code == 200

    client.post("/reset", data={"email": "bo@example.com"})
    path = link_to("bo@example.com", "/reset/")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert verify_secret(reload(person).password_hash, NEW_PASSWORD)
    assert elsewhere.get("/account").status_code == 302
    assert login(client, "bo@example.com", DEFAULT_PASSWORD).status_code == 200
    assert login(client, "bo@example.com", NEW_PASSWORD).status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="password.reset").count() == 1


def test_a_weak_new_password_is_refused(app, client, mailbox, make_person, link_to, reload):
    person = make_person(email="cy@example.com")
    client.post("/reset", data={"email": "cy@example.com"})
    path = link_to("cy@example.com", "/reset/")
    response = client.post(path, data={"password": "qwerty123"})
    assert response.status_code == 200 and b"too common" in response.data
    assert verify_secret(reload(person).password_hash, DEFAULT_PASSWORD)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("mangle", ["reuse", "tamper", "expire", "other_purpose"])
def test_bad_reset_links_change_nothing(
        app, client, mailbox, make_person, frozen_clock, mangle, link_to, reload):
    person = make_person(email="dee@example.com")
    client.post("/reset", data={"email": "dee@example.com"})
    path = link_to("dee@example.com", "/reset/")
    if mangle == "reuse":
        assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302
    elif mangle == "tamper":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    elif mangle == "expire":
        frozen_clock.advance(minutes=app.config["RESET_TOKEN_MINUTES"] + 1)
    else:
        path = path.replace("/reset/", "/verify/")
    before = reload(person).password_hash
    for response in (client.get(path),
                     client.post(path, data={"password": "yet another passphrase"})):
        assert response.status_code == 400
        assert ("expired" if mangle == "expire" else "does not work") in response.get_data(
            as_text=True)
    assert reload(person).password_hash == before


def test_a_reset_link_dies_when_the_address_changes(
        app, client, auth, mailbox, make_person, link_to, reload):
    person = make_person(email="eve@example.com")
    client.post("/reset", data={"email": "eve@example.com"})
    reset = link_to("eve@example.com", "/reset/")
    auth.login(person)
    client.post("/account/email", data={"email": "eve@new.example"})
    assert client.post(link_to("eve@new.example", "/account/email/confirm/")).status_code == 302
    client.post("/logout")

    for response in (client.get(reset), client.post(reset, data={"password": NEW_PASSWORD})):
        assert response.status_code == 400
        assert "does not work" in response.get_data(as_text=True)
    assert verify_secret(reload(person).password_hash, DEFAULT_PASSWORD)
