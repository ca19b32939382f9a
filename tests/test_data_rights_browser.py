"""A customer in a real browser sees their data, makes a request and erases everything;
axe-core checks each page on the way."""

from __future__ import annotations

import os

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.data_rights_helpers import Identity, make_full_person
from tests.fixtures_browser import assert_accessible


@pytest.mark.browser
def test_see_request_and_erase_in_a_browser(app, page, live_server, make_person, mailbox):
    make_full_person(make_person)
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
    assert page.get_by_role("heading", name="Your data has been erased").is_visible()
    assert_accessible(page)
