"""Staff log-in: password then a code from the authenticator, enrolment at the first
log-in, recovery codes, idle sessions, log-out, and sessions kept apart from customers'."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text

from preference_centre import clock, extensions
from preference_centre.extensions import db
from preference_centre.models import StaffAudit, StaffRecoveryCode, StaffSession


def password_step(client, member, password=None):
    return client.post("/staff/login", data={"email": member.user.email,
                                             "password": password or member.password})


def actions():
    return [row.action for row in db.session.execute(
        db.select(StaffAudit).order_by(StaffAudit.id)).scalars()]


def code_at(member, steps_from_now):
    return pyotp.TOTP(member.secret).at(clock.utcnow() + timedelta(seconds=30 * steps_from_now))


def test_the_password_alone_opens_nothing(app, make_staff):
    member = make_staff("admin", logged_in=False)
    client = member.client
    response = password_step(client, member)
    assert response.status_code == 302 and response.location.endswith("/staff/login/code")
    for page in ("/staff", "/staff/team", "/staff/audit", "/staff/undelivered"):
        assert client.get(page).location.endswith("/staff/login/code"), page
    assert b"Log out" in client.get("/staff/login/code").data  # a way back out
    assert client.post("/staff/team/1/disable").location.endswith("/staff/login/code")


def test_a_wrong_password_says_so_without_telling_which_part_was_wrong(app, client, make_staff):
    member = make_staff("privacy", logged_in=False)
    wrong = password_step(client, member, password="not my password at all")
    unknown = client.post("/staff/login", data={"email": "nobody@staff.example.com",
                                                "password": "whatever it is"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert b"The email address or password is not right." in response.data
    assert db.session.execute(db.select(StaffSession)).first() is None
    failed = db.session.execute(db.select(StaffAudit).where(
        StaffAudit.action == "login.failed")).scalars().all()
    assert [(row.actor_id, row.detail) for row in failed] == [
        (member.user.id, "password"), (None, "password")]
    assert all(row.ip_prefix == "127.0.0.0/24" for row in failed)


def test_password_then_code_opens_the_dashboard_and_is_audited(app, frozen_clock, make_staff):
    member = make_staff("marketing", logged_in=False)
    response = member.log_in()
    assert response.status_code == 302 and response.location.endswith("/staff")
    page = member.client.get("/staff")
    assert page.status_code == 200 and b"<h1>Dashboard</h1>" in page.data
    assert actions()[-1] == "login"
    db.session.refresh(member.user)
    assert member.user.last_login_at == frozen_clock.now


def test_a_wrong_code_is_refused_and_audited(app, make_staff):
    member = make_staff("admin", logged_in=False)
    password_step(member.client, member)
    wrong = f"{(int(member.code()) + 1) % 1_000_000:06d}"
    response = member.client.post("/staff/login/code", data={"code": wrong})
    assert response.status_code == 200 and b"That code is not right" in response.data
    assert member.client.get("/staff").location.endswith("/staff/login/code")
    assert actions()[-1] == "login.failed"


def test_codes_of_the_neighbouring_time_steps_work_but_not_older_ones(app, frozen_clock,
                                                                       make_staff):
    member = make_staff("admin", logged_in=False)
    password_step(member.client, member)
    too_old = code_at(member, -2)
    assert member.client.post("/staff/login/code", data={"code": too_old}).status_code == 200
    previous = code_at(member, -1)
    assert member.client.post("/staff/login/code", data={"code": previous}).status_code == 302


def test_the_same_code_is_not_accepted_twice(app, frozen_clock, make_staff):
    member = make_staff("admin", logged_in=False)
    code = member.code()
    assert member.log_in(code=code).status_code == 302
    other = member.app.test_client()
    password_step(other, member)
    replay = other.post("/staff/login/code", data={"code": code})
    assert replay.status_code == 200 and b"already used" in replay.data
    frozen_clock.advance(seconds=30)
    assert other.post("/staff/login/code", data={"code": member.code()}).status_code == 302


def test_first_log_in_enrols_an_authenticator_before_anything_else(app, frozen_clock,
                                                                   make_staff):
    member = make_staff("privacy", enrolled=False, logged_in=False)
    client = member.client
    assert password_step(client, member).location.endswith("/staff/enrol")
    assert client.get("/staff").location.endswith("/staff/enrol")
    assert client.get("/staff/login/code").location.endswith("/staff/enrol")
    page = client.get("/staff/enrol").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    assert "<script" not in page
    key = re.search(r'<code id="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    assert "Key to type in by hand" in page
    secret = key.replace(" ", "")
    db.session.refresh(member.user)
    assert member.user.totp_secret == secret
    stored = db.session.execute(text("SELECT totp_secret FROM staff_users")).scalar_one()
    assert secret not in stored  # encrypted at rest
    assert client.get("/staff/enrol").get_data(as_text=True).count(key) == 1  # same key again

    done = client.post("/staff/enrol", data={"code": pyotp.TOTP(secret).at(clock.utcnow())})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(
        as_text=True))
    assert len(set(codes)) == 10
    hashes = db.session.execute(db.select(StaffRecoveryCode.code_hash)).scalars().all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert client.get("/staff").status_code == 200
    assert client.get("/staff/enrol").location.endswith("/staff")
    assert actions()[-2:] == ["authenticator.enrolled", "login"]


def test_a_recovery_code_replaces_the_authenticator_once(app, make_staff):
    member = make_staff("admin", logged_in=False)
    recovery = member.recovery_codes[3]
    password_step(member.client, member)
    response = member.client.post("/staff/login/recovery", data={"code": recovery.upper()})
    assert response.status_code == 302 and response.location.endswith("/staff")
    assert b"You have 9 left" in member.client.get("/staff").data
    assert "recovery_code.used" in actions() and actions()[-1] == "login"

    other = member.app.test_client()
    password_step(other, member)
    again = other.post("/staff/login/recovery", data={"code": recovery})
    assert again.status_code == 200 and b"already used" in again.data
    assert other.get("/staff").location.endswith("/staff/login/code")


def test_an_idle_session_ends_after_staff_idle_minutes(app, frozen_clock, make_staff):
    member = make_staff("marketing")
    frozen_clock.advance(minutes=14)
    assert member.client.get("/staff").status_code == 200  # a request resets the clock
    frozen_clock.advance(minutes=14, seconds=59)
    assert member.client.get("/staff").status_code == 200
    frozen_clock.advance(minutes=15, seconds=1)
    response = member.client.get("/staff")
    assert response.status_code == 302 and response.location.endswith("/staff/login")
    row = db.session.execute(db.select(StaffSession)).scalar_one()
    assert row.ended_at == frozen_clock.now
    assert b"Your session has ended" in member.client.get("/staff/login").data


@pytest.mark.app_config(STAFF_IDLE_MINUTES=5)
def test_the_idle_limit_is_a_setting(app, frozen_clock, make_staff):
    member = make_staff("marketing")
    frozen_clock.advance(minutes=6)
    assert member.client.get("/staff").location.endswith("/staff/login")


def test_log_out_ends_the_session_on_the_server(app, make_staff):
    member = make_staff("admin")
    cookie = member.client.get_cookie("staff_session", path="/staff").value
    response = member.client.post("/staff/logout")
    assert response.status_code == 302 and response.location.endswith("/staff/login")
    assert db.session.execute(db.select(StaffSession.ended_at)).scalar_one() is not None
    assert member.client.get("/staff").location.endswith("/staff/login")
    copied = app.test_client()
    copied.set_cookie("staff_session", cookie, path="/staff")
    assert copied.get("/staff").location.endswith("/staff/login")
    assert actions()[-1] == "logout"


def test_the_staff_cookie_is_its_own_and_never_opens_a_customer_page(app, make_staff):
    member = make_staff("admin", logged_in=False)
    first = password_step(member.client, member)
    header = first.headers["Set-Cookie"]
    assert header.startswith("staff_session=")
    for part in ("Path=/staff", "HttpOnly", "SameSite=Strict"):
        assert part in header
    assert "Secure" not in header  # the site is on http here
    cookie = header.split(";", 1)[0].split("=", 1)[1]
    stranger = app.test_client()
    stranger.set_cookie("staff_session", cookie, path="/")
    assert stranger.get("/account").location.startswith("/login")


@pytest.mark.app_config(BASE_URL="https://prefs.example.com")
def test_the_staff_cookie_is_secure_on_an_https_site(app, make_staff):
    member = make_staff("admin", logged_in=False)
    response = password_step(member.client, member)
    assert "Secure" in response.headers["Set-Cookie"]


def test_no_staff_account_exists_until_one_is_created(app, client):
    assert db.session.execute(text("SELECT count(*) FROM staff_users")).scalar_one() == 0
    assert client.post("/staff/login", data={"email": "admin@example.com",
                                             "password": "admin"}).status_code == 200


def test_a_disabled_account_cannot_log_in(app, make_staff):
    member = make_staff("marketing", logged_in=False)
    member.user.disabled_at = clock.utcnow()
    db.session.commit()
    response = password_step(member.client, member)
    assert response.status_code == 200 and b"not right" in response.data


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_guessing_codes_is_rate_limited_per_account(app, make_staff):
    extensions.limiter.reset()
    member = make_staff("admin", logged_in=False)
    password_step(member.client, member)
    statuses = [member.client.post("/staff/login/code", data={"code": "000000"}).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # A new session for the same account does not get a fresh allowance.
    other = app.test_client()
    password_step(other, member)
    assert other.post("/staff/login/recovery", data={"code": "aaaaa-bbbbb"}).status_code == 200
    extensions.limiter.reset()


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_guessing_passwords_is_rate_limited(app, client, make_staff):
    extensions.limiter.reset()
    member = make_staff("admin", logged_in=False)
    statuses = [password_step(client, member, "wrong password here").status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    extensions.limiter.reset()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_staff_forms_need_their_csrf_token(app, make_staff):
    member = make_staff("admin")
    for path in ("/staff/login", "/staff/logout", "/staff/team", "/staff/undelivered/requeue"):
        response = member.client.post(path, data={"email": "x@example.com"})
        assert response.status_code == 400, path
        assert b"This form has expired" in response.data
    assert member.client.get("/staff").status_code == 200  # still signed in
