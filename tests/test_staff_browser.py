"""A new admin in a real browser: the set-up link, a password, linking an authenticator from
the key shown on the page, the recovery codes, the dashboard and the admin pages, logging
out and in again. axe-core checks every page on the way."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.helpers_browser import assert_accessible

PASSWORD = "violet harbour compass"


@pytest.mark.browser
def test_set_up_link_password_enrolment_recovery_codes_dashboard(app, page, live_server,
                                                                 runner):
    result = runner.invoke(args=["staff", "create", "lead@staff.example.com", "--role", "admin"])
    assert result.exit_code == 0, result.output
    link = re.search(r"(http://\S+/staff/setup/\S+)", result.output).group(1)
    assert link.startswith(live_server)

    page.goto(link)
    assert_accessible(page)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url("**/staff/enrol")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert_accessible(page)

    secret = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("6-digit code from your authenticator app").fill(
        pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Link this app").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".staff-recovery-codes li").count() == 10
    assert_accessible(page)

    page.get_by_role("link", name="Continue to the dashboard").click()
    page.wait_for_url(live_server + "/staff")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert_accessible(page)
    for label, heading in (("Team", "Team"), ("Audit", "Audit log"),
                           ("Undelivered", "Undelivered messages")):
        page.get_by_role("navigation", name="Staff console").get_by_role(
            "link", name=label).click()
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        assert_accessible(page)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "staff_session"]
    assert (cookie["sameSite"], cookie["httpOnly"], cookie["path"]) == ("Strict", True, "/staff")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/staff/login")
    assert page.get_by_text("You are logged out of the staff console").is_visible()
    assert_accessible(page)
    page.goto("/staff/team")
    page.wait_for_url("**/staff/login")

    page.get_by_label("Work email address").fill("lead@staff.example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/login/code")
    assert_accessible(page)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.wait_for_url("**/staff/login/recovery")
    assert_accessible(page)
    page.get_by_role("link", name="Use a code from your authenticator app").click()
    page.wait_for_url("**/staff/login/code")
    # The code used to enrol works once: the next time step's code is also accepted.
    totp = pyotp.TOTP(secret)
    page.get_by_label("6-digit code from your authenticator app").fill(
        totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/staff")
