"""Logging in and out: sessions that really end, safe redirects, limits, hash upgrades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from preference_centre import extensions
from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.models import LoginSession
from tests.helpers_accounts import DEFAULT_PASSWORD, login, without_csrf


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_login_records_the_sign_in_and_opens_the_account(app, client, make_person):
    person = make_person(email="ada@example.com")
    response = login(client, "ADA@example.com ",
                     headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/130.0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    row = db.session.query(LoginSession).filter_by(person_id=person.id).one()
    assert row.ip_prefix == "127.0.0.0/24" and row.device == "Firefox on Linux"
    page = client.get("/account")
    assert page.status_code == 200
    assert b"a***@e***.com" in page.data
    assert b"127.0.0.0/24" in page.data


def test_after_an_objection_to_security_monitoring_sign_ins_keep_no_network_or_device(
        app, client, make_person):
    person = make_person(email="ada@example.com")
    firefox = {"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/130.0"}
    login(app.test_client(), "ada@example.com", headers=firefox)  # before the objection
    record_changes(person.id, {"security_monitoring": False}, Actor(source="form"))
    db.session.commit()
    login(client, "ada@example.com", headers=firefox)
    db.session.expire_all()
    rows = db.session.query(LoginSession).filter_by(person_id=person.id).all()
    assert len(rows) == 2
    assert all(row.ip_prefix is None and row.device is None for row in rows)
    page = client.get("/account")
    assert page.status_code == 200 and b"127.0.0.0/24" not in page.data


def test_unknown_address_and_wrong_password_look_the_same(app, client, make_person):
    make_person(email="bo@example.com")
    wrong = client.post("/login", data={"email": "bo@example.com", "password": "not it at all"})
    unknown = client.post("/login", data={"email": "nobody@example.com",
                                          "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 200
    message = b"The email address or password is not right"
    assert message in wrong.data and message in unknown.data
    assert without_csrf(wrong.data.replace(b"bo@example.com", b"X")) == without_csrf(
        unknown.data.replace(b"nobody@example.com", b"X"))
    assert db.session.query(LoginSession).count() == 0


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, make_person):
    make_person(email="cy@example.com")
    login(client, "cy@example.com", remember="y")
    session_cookie = _cookie(client, "session")
    assert client.get("/account").status_code == 200

    assert client.post("/logout").status_code == 302
    assert db.session.query(LoginSession).one().revoked_at is not None

    thief = app.test_client()
    thief.set_cookie("session", session_cookie)
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_keep_me_logged_in_outlives_the_browser_for_session_days(app, make_person):
    make_person(email="kim@example.com")
    kept, not_kept = app.test_client(), app.test_client()
    login(kept, "kim@example.com", remember="y")
    login(not_kept, "kim@example.com")
    assert not_kept.get_cookie("session").expires is None, "ends with the browser"
    expires = kept.get_cookie("session").expires
    assert expires is not None
    lifetime = expires.replace(tzinfo=UTC) - datetime.now(UTC)
    assert abs(lifetime - timedelta(days=app.config["SESSION_DAYS"])) < timedelta(hours=1)
    assert db.session.query(LoginSession).filter_by(remember=True).count() == 1
    assert kept.get_cookie("remember_token") is None


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/x", "/\\evil.example", "\\\\evil.example",
     "/\t/evil.example", "http:/evil.example", "javascript:alert(1)", "evil.example",
     "///evil.example"],
)
def test_next_never_leaves_the_site(app, client, make_person, target):
    make_person(email="dee@example.com")
    response = login(client, "dee@example.com", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


def test_next_to_a_local_page_is_followed(app, client, make_person):
    make_person(email="eve@example.com")
    page = client.get("/account/profile")
    assert page.status_code == 302
    form = client.get(page.headers["Location"])
    assert b'value="/account/profile"' in form.data
    response = login(client, "eve@example.com", next="/account/profile?tab=1")
    assert response.headers["Location"] == "/account/profile?tab=1"


def test_an_old_pbkdf2_hash_is_upgraded_at_login(app, client, make_person, reload):
    person = make_person(email="fay@example.com")
    person.password_hash = generate_password_hash(DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    assert login(client, "fay@example.com").status_code == 302
    upgraded = reload(person).password_hash
    assert upgraded.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    client.post("/logout")
    assert login(client, "fay@example.com").status_code == 302


def test_last_seen_is_recorded_at_most_once_a_day(app, client, make_person, frozen_clock, reload):
    person = make_person(email="gil@example.com")
    login(client, "gil@example.com")
    first = reload(person).last_seen_at
    assert first == frozen_clock.now
    frozen_clock.advance(hours=3)
    client.get("/account")
    assert reload(person).last_seen_at == first
    frozen_clock.advance(days=1)
    client.get("/account")
    assert reload(person).last_seen_at == frozen_clock.now


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("path", ["/login", "/register", "/reset", "/logout"])
def test_forms_without_a_csrf_token_are_refused(app, client, make_person, path):
    make_person(email="hal@example.com")
    response = client.post(path, data={"email": "hal@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert b"This form has expired" in response.data
    assert db.session.query(LoginSession).count() == 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_repeated_failed_logins_get_a_friendly_429(app, client, make_person):
    extensions.limiter.reset()
    make_person(email="ivy@example.com")
    statuses = [login(client, "ivy@example.com", "wrong password here").status_code
                for _ in range(5)]
    assert statuses == [200] * 5
    blocked = login(client, "ivy@example.com")
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    # Another address from the same place is limited per address, not yet per IP...
    assert login(client, "other@example.com", "wrong password here").status_code == 200
    # ...until the per-IP limit is reached too.
    for _ in range(4):
        login(client, f"x{_}@example.com", "wrong password here")
    assert login(client, "last@example.com", "wrong password here").status_code == 429


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_reset_requests_are_rate_limited(app, client):
    extensions.limiter.reset()
    statuses = [client.post("/reset", data={"email": f"p{n}@example.com"}).status_code
                for n in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429


def test_keep_me_logged_in_survives_a_key_rotation_while_the_old_key_is_a_fallback(
        app, make_person):
    make_person(email="rotate@example.com")
    browser = app.test_client()
    login(browser, "rotate@example.com", remember="y")
    kept = browser.get_cookie("session")
    assert kept is not None and kept.expires is not None, "a cookie that outlives the browser"
    old_key = app.config["SECRET_KEY"]
    app.secret_key = app.config["SECRET_KEY"] = "a-brand-new-secret-key-" + "z" * 32

    def after_a_browser_restart():  # only the cookie with an expiry date is left
        returning = app.test_client()
        returning.set_cookie("session", kept.value)
        return returning.get("/account")

    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert after_a_browser_restart().status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    response = after_a_browser_restart()
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
