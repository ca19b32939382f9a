"""Changing the password or the email address, and asking for the password again."""

from __future__ import annotations

from preference_centre.extensions import db
from preference_centre.models import AuditEvent, LoginSession
from preference_centre.passwords import verify_secret
from preference_centre.people import find_person_by_email
from tests.helpers_accounts import DEFAULT_PASSWORD, login
from tests.helpers_messaging import body_text

NEW_PASSWORD = "a brand new passphrase"


def test_changing_the_password_ends_every_other_sign_in(app, client, make_person, reload):
    person = make_person(email="ada@example.com")
    login(client, "ada@example.com")
    other = app.test_client()
    login(other, "ada@example.com", remember="y")
    remembered = other.get_cookie("session").value

    response = client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                      "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert verify_secret(reload(person).password_hash, NEW_PASSWORD)
    assert client.get("/account").status_code == 200, "this session carries on"
    assert other.get("/account").status_code == 302
    stranger = app.test_client()
    stranger.set_cookie("session", remembered)
    assert stranger.get("/account").status_code == 302
    live = db.session.query(LoginSession).filter(LoginSession.revoked_at.is_(None)).count()
    assert live == 1
    assert db.session.query(AuditEvent).filter_by(action="password.change").count() == 1


def test_the_current_password_is_needed(app, client, auth, make_person, reload):
    person = make_person(email="bo@example.com")
    auth.login(person)
    response = client.post("/account/password", data={"current_password": "not my password",
                                                      "new_password": NEW_PASSWORD})
    assert response.status_code == 200 and b"current password is not right" in response.data
    weak = client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                                  "new_password": "letmein1"})
    assert b"too common" in weak.data
    assert verify_secret(reload(person).password_hash, DEFAULT_PASSWORD)


def test_sensitive_pages_ask_for_the_password_again(app, client, auth, make_person):
    person = make_person(email="cy@example.com")
    auth.login(person, minutes_ago=app.config["RECENT_LOGIN_MINUTES"] + 1)
    response = client.get("/account/email")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reauth?next=/account/email"

    wrong = client.post("/reauth", data={"password": "nope nope nope", "next": "/account/email"})
    assert wrong.status_code == 200 and b"not right" in wrong.data
    assert client.get("/account/email").status_code == 302

    evil = client.post("/reauth", data={"password": DEFAULT_PASSWORD, "next": "//evil.example"})
    assert evil.headers["Location"] == "/account"
    assert client.get("/account/email").status_code == 200


def test_changing_the_email_address(app, client, auth, mailbox, make_person, link_to, reload):
    person = make_person(email="dee@example.com", name="Dee")
    auth.login(person)
    response = client.post("/account/email", data={"email": "dee@new.example"})
    assert response.status_code == 302
    assert reload(person).email == "dee@example.com", "nothing changes before the link"

    path = link_to("dee@new.example", "/account/email/confirm/")
    notice = mailbox.last_to("dee@example.com")
    assert "d***@n***.example" in body_text(notice)
    assert "/account/email/confirm/" not in body_text(notice)

    assert client.get(path).status_code == 200
    assert reload(person).email == "dee@example.com"
    assert client.post(path).status_code == 302
    person = reload(person)
    assert person.email == "dee@new.example" and person.pending_email is None
    assert find_person_by_email("DEE@new.example").id == person.id
    assert find_person_by_email("dee@example.com") is None
    assert client.post(path).status_code == 400, "the link works once"
    client.post("/logout")
    assert login(client, "dee@new.example").status_code == 302


def test_an_address_held_by_someone_else_is_not_taken(
        app, client, auth, mailbox, make_person, link_to, reload):
    person = make_person(email="eve@example.com")
    make_person(email="taken@example.com", password=None, origin="signup")
    auth.login(person)
    free = client.post("/account/email", data={"email": "free@example.com"})
    taken = client.post("/account/email", data={"email": "Taken@example.com"})
    assert free.status_code == taken.status_code == 302
    assert reload(person).pending_email == "free@example.com"
    link_to("free@example.com", "/account/email/confirm/")
    warning = mailbox.last_to("taken@example.com")
    assert "nothing was changed" in body_text(warning)
    assert reload(person).email == "eve@example.com"


def test_a_password_change_cancels_a_pending_email_change(app, client, auth, mailbox,
                                                         make_person, link_to, reload):
    person = make_person(email="fay@example.com")
    auth.login(person)
    client.post("/account/email", data={"email": "fay@new.example"})
    path = link_to("fay@new.example", "/account/email/confirm/")
    client.post("/account/password", data={"current_password": DEFAULT_PASSWORD,
                                           "new_password": NEW_PASSWORD})
    assert client.post(path).status_code == 400
    assert reload(person).email == "fay@example.com"


def test_email_form_refuses_bad_input(app, client, auth, make_person, reload):
    person = make_person(email="gil@example.com")
    auth.login(person)
    for value, message in (("gil@example.com", b"already your email"),
                           ("x@example.com\r\nBcc: y@example.com", b"without line breaks"),
                           ("nonsense", b"Enter an email address like")):
        response = client.post("/account/email", data={"email": value})
        assert response.status_code == 200 and message in response.data
    assert reload(person).pending_email is None


def test_log_out_everywhere_else(app, client, make_person, auth):
    person = make_person(email="hal@example.com")
    other = app.test_client()
    auth.login(person, client=other)
    login(client, "hal@example.com")
    client.post("/account/sessions/end-others")
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
