"""Every page listed in docs/pages.md, at phone width in a real browser: nothing scrolls
sideways or cuts a label off, and axe-core finds nothing serious."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from preference_centre import tokens
from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.models import Order
from preference_centre.privacy.versions import publish_notice
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_browser import assert_accessible

PAGES_DOC = Path(__file__).resolve().parent.parent / "docs" / "pages.md"
PHONE = {"width": 390, "height": 844}
HEADING = re.compile(r"^### `(?P<path>/[^`]*)`(?P<signed_in> \(signed in\))?\s*$", re.M)


def listed_pages() -> list[tuple[str, bool]]:
    return [(m["path"], bool(m["signed_in"])) for m in HEADING.finditer(PAGES_DOC.read_text())]


def test_the_checklist_lists_the_pages_people_use() -> None:
    paths = {path for path, _ in listed_pages()}
    for path in ("/", "/signup", "/p/new-link", "/u/{unsubscribe}", "/account/data",
                 "/account/profile", "/privacy"):
        assert path in paths


@pytest.fixture
def customer(make_person: Any) -> Any:
    """A customer with something on every page: a long address, an order, choices, a
    material notice change they have not read yet (both banners show)."""
    person = make_person(email="alexandra.featherstonehaugh@example.com",
                         name="Alexandra Featherstonehaugh-Worthington", phone="07700 900123",
                         gender="female", date_of_birth="1986-04-12")
    # new_person's first argument is named "address" (the email address).
    person.address = "Flat 12, Riverside Apartments, 140 Kingsland Road, London E2 8DY"
    db.session.add(Order(person_id=person.id, reference="AC-000123456", product="Fibre 500",
                         amount_pence=3499))
    record_changes(person.id, {"email:offers": True, "sms:offers": True}, Actor(source="form"))
    record_changes(person.id, {"email:offers": False}, Actor(source="one_click",
                                                             actor_type="person"))
    publish_notice("2", material=True, summary="We now name our delivery partner.")
    db.session.commit()
    return person


def sideways(page: Any) -> list[str]:
    """What sticks out past the right edge of the screen, if anything."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return [];
      return [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5).map(el => el.tagName + '.' + el.className);
    }""")


@pytest.mark.browser
def test_every_listed_page_fits_a_phone_and_is_accessible(browser: Any, live_server: str,
                                                          customer: Any) -> None:
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    values = {
        "unsubscribe": tokens.make_unsubscribe_token(customer.id, "email", "offers", "m1"),
        "preferences": tokens.make_preference_token(customer.id),
    }
    pages = listed_pages()
    try:
        for path, signed_in in sorted(pages, key=lambda p: p[1]):
            if signed_in and "/login" not in page.url and not page.get_by_role(
                    "button", name="Log out").count():
                page.goto("/login")
                page.get_by_label("Email address").fill(customer.email)
                page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url("**/account")
            page.goto(path.format(**values))
            assert page.locator("h1").count() == 1, path
            assert sideways(page) == [], f"{path} scrolls sideways at phone width"
            # The heading does not touch the header bar, nor the last button the footer.
            assert page.evaluate("""() => {
              const main = getComputedStyle(document.querySelector('main'));
              return parseFloat(main.paddingTop) >= 16 && parseFloat(main.paddingBottom) >= 16;
            }"""), f"{path}: the page content touches the header or footer"
            assert_accessible(page)
    finally:
        context.close()
