"""A customer in a real browser sees their data, makes a request and erases everything, and
someone without an account erases theirs from a message link; axe-core checks each page."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from preference_centre.links import preference_link
from preference_centre.messaging import deliver_due
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_browser import assert_accessible
from tests.helpers_data_rights import Identity
from tests.helpers_messaging import body_text


@pytest.mark.browser
def test_see_request_and_erase_in_a_browser(
        app, page, live_server, make_person, mailbox, make_full_person):
    make_full_person()
    page.goto("/login")
    page.get_by_label("Email address").fill(Identity().email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account")

    page.goto("/account/data")
    assert page.get_by_role("heading", name="Everything we hold about you").is_visible()
    assert page.get_by_text("Zebedee Quixote-Marsh").first.is_visible()
    assert_accessible(page)
    if os.environ.get("DATA_RIGHTS_SCREENSHOT"):
        page.screenshot(path=os.environ["DATA_RIGHTS_SCREENSHOT"], full_page=True)

    page.get_by_role("link", name="Object, restrict or correct").click()
    page.wait_for_url("**/account/data/requests")
    assert_accessible(page)
    page.get_by_label("Protecting our network").check()
    page.get_by_role("button", name="Send objection").click()
    page.wait_for_url("**/account/data/requests")
    assert page.get_by_text("our privacy officer will reply by").is_visible()

    page.goto("/account/delete")
    assert_accessible(page)
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Erase everything").click()
    page.wait_for_url("**/account/deleted")
    # Erasing takes a moment on a busy machine: wait for the page, do not just glance.
    expect(page.get_by_role("heading", name="Your data has been erased")).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_without_an_account_erase_from_the_preference_link_in_a_browser(
        app, page, live_server, make_person, mailbox):
    person = make_person(email="lee@example.com", password=None, origin="signup")
    page.goto(urlsplit(preference_link(person.id)).path)
    page.get_by_role("link", name="ask us to erase your data").click()
    assert page.get_by_role("heading", name="Erase your data").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Email me a confirmation link").click()
    assert page.get_by_text("We have emailed a confirmation link").is_visible()

    deliver_due()
    text = body_text(mailbox.last_to("lee@example.com"))
    page.goto("/data/erase/" + text.split("/data/erase/", 1)[1].split()[0])
    assert page.get_by_role("heading", name="Erase everything we hold about you?").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Erase everything").click()
    # Erasing takes a moment on a busy machine: wait for the page, do not just glance.
    expect(page.get_by_role("heading", name="Your data has been erased")).to_be_visible()
    assert_accessible(page)
