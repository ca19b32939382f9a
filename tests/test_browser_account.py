"""A newcomer in a real browser: register, confirm from the mail, log in, fix the phone
number, log out. axe-core checks every page on the way."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.people import find_person_by_email
from tests.helpers_accounts import links_in
from tests.helpers_browser import assert_accessible

PASSWORD = "purple elephants dance quietly"


@pytest.mark.browser
def test_register_verify_log_in_correct_phone_log_out(app, page, live_server, mailbox):
    page.goto("/register")
    assert_accessible(page)
    page.get_by_label("Email address").fill("newcomer@example.com")
    page.get_by_label("Your name (optional)").fill("Nia Newcomer")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/check-email**")
    assert_accessible(page)

    deliver_due()  # the outbox worker's job, done here in the test thread
    link = next(url for url in links_in(mailbox.last_to("newcomer@example.com"))
                if "/verify/" in url)
    assert link.startswith(live_server)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("Your email address is confirmed").is_visible()
    assert_accessible(page)

    page.get_by_label("Email address").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")
    assert page.get_by_role("heading", name="Your account").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Your profile").click()
    page.wait_for_url("**/account/profile")
    assert_accessible(page)
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_role("button", name="Save my details").click()
    page.wait_for_url("**/account/profile")
    assert page.get_by_text("Your details are saved").is_visible()
    assert page.get_by_label("Phone number").input_value() == "07700 900456"
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_text("You are logged out").is_visible()
    assert_accessible(page)
    page.goto("/account")
    page.wait_for_url("**/login?next=*")
    assert_accessible(page)

    db.session.expire_all()
    person = find_person_by_email("newcomer@example.com")
    assert person.phone == "07700 900456" and person.status == "active"
