"""In Chromium: the cookie banner, the GPC notice, and accessibility of the preference pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from preference_centre.auth.sessions import start_session
from preference_centre.extensions import db
from preference_centre.links import preference_link
from tests.helpers_browser import assert_accessible

pytestmark = pytest.mark.browser


def cookie_value(page, name="cookie_choice"):
    found = [c["value"] for c in page.context.cookies() if c["name"] == name]
    return found[0] if found else None


def log_in(app, page, live_server, person):
    """Sign in by handing the browser a session cookie (the login form has its own tests)."""
    key = start_session(person, remember=False, ip="127.0.0.1", user_agent="playwright")
    db.session.commit()
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": key, "_fresh": True})
    page.context.add_cookies([{"name": "session", "value": value, "url": live_server}])


def test_reject_all_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/privacy")
        banner = page.get_by_role("region", name="Cookie choices")
        assert banner.is_visible()
        banner.get_by_role("button", name="Reject all").click()
        page.wait_for_url("**/privacy")
        assert cookie_value(page) == "1.a0.m0"
        assert page.get_by_role("region", name="Cookie choices").count() == 0
        assert page.locator("script[src*='analytics']").count() == 0
    finally:
        context.close()


def test_accept_all_loads_analytics_only_after_the_choice(page):
    page.goto("/signup")
    assert page.locator("script[src*='analytics']").count() == 0
    page.get_by_role("button", name="Accept all").click()
    page.wait_for_url("**/signup")
    assert cookie_value(page) == "1.a1.m1"
    assert page.locator("script[src*='analytics']").count() == 1
    assert page.evaluate("window.preferenceCentreAnalytics.allowed") is True


def test_choose_opens_unticked_boxes_and_saves_the_choice(page):
    page.goto("/privacy")
    page.get_by_role("link", name="Choose").click()
    page.wait_for_url("**/cookies?next=/privacy")
    analytics = page.get_by_label("Analytics cookies")
    marketing = page.get_by_label("Marketing cookies and tags")
    assert not analytics.is_checked() and not marketing.is_checked()
    assert_accessible(page)
    analytics.check()
    page.get_by_role("button", name="Save my cookie choices").click()
    page.wait_for_url("**/privacy")
    assert cookie_value(page) == "1.a1.m0"
    assert page.get_by_text("Cookie choices saved: analytics cookies allowed.").is_visible()


def test_a_gpc_browser_is_told_the_signal_is_honoured(browser, live_server):
    context = browser.new_context(base_url=live_server, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    try:
        page.goto("/")
        assert page.get_by_text(
            "Your browser's Global Privacy Control signal is being honoured").is_visible()
        page.get_by_role("button", name="Accept all").click()
        page.wait_for_url(live_server + "/")
        assert cookie_value(page) == "1.a1.m0"
    finally:
        context.close()


def test_the_preference_page_is_accessible_and_saves(app, page, live_server, make_person):
    person = make_person(email="ada@example.com")
    person.address = "12 Analytical Row, London N1 1AA"  # post is asked of those we can write to
    db.session.commit()
    log_in(app, page, live_server, person)
    page.goto("/account/preferences")
    assert_accessible(page)
    page.get_by_label("Offers by email").check()
    page.get_by_label("I object to offers by post").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url("**/account/preferences")
    assert page.get_by_text("You turned on Offers by email.").is_visible()
    assert page.get_by_text("You objected to Offers by post.").is_visible()
    assert page.get_by_label("Offers by email").is_checked()
    assert_accessible(page)


def test_the_link_sign_up_and_privacy_pages_are_accessible(page, make_person):
    person = make_person(email="grace@example.com")
    for path in (urlsplit(preference_link(person.id)).path, "/signup", "/privacy"):
        page.goto(path)
        assert_accessible(page)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_link_page_keeps_no_session_and_its_forms_work(page, make_person):
    """With CSRF protection on, as in production: the banner and the preference form post
    without a session (the banner is checked by Sec-Fetch-Site, the form by its token)."""
    person = make_person(email="lin@example.com")
    path = urlsplit(preference_link(person.id)).path
    page.goto(path)
    assert page.context.cookies() == []
    page.get_by_role("region", name="Cookie choices").get_by_role(
        "button", name="Reject all").click()
    page.wait_for_url("**" + path)
    assert cookie_value(page) == "1.a0.m0"
    page.get_by_label("Offers by email").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_url("**" + path)
    assert page.get_by_text("You turned on Offers by email.").is_visible()
    assert page.get_by_label("Offers by email").is_checked()
    assert_accessible(page)


def test_on_a_phone_the_table_fits_and_every_box_shows_its_topic(browser, live_server,
                                                                make_person):
    """At 390 px the table is one block per channel, nothing scrolls sideways, and each box
    has its topic beside it; on a wide screen the topic shows under the box (every input has
    a visible label). The full label is the same at both widths."""
    person = make_person(email="pat@example.com", phone="07700900123")
    path = urlsplit(preference_link(person.id)).path
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        context = browser.new_context(base_url=live_server, viewport=viewport)
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            page.goto(path)
            table = page.locator("table.pref-matrix")
            width, room = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
            assert width <= room
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            box = page.get_by_label("Deadlines and policy changes by text message", exact=True)
            assert box.is_visible()
            topic = table.locator("label[for=pc-sms-policy]")
            assert topic.bounding_box()["width"] > 1 and topic.is_visible()
            assert_accessible(page)
        finally:
            context.close()


def test_stop_all_asks_first_and_cancel_changes_nothing(page, make_person):
    person = make_person(email="sam@example.com")
    path = urlsplit(preference_link(person.id)).path
    page.goto(path)
    page.get_by_role("button", name="Stop all marketing").click()
    assert page.get_by_role("heading", name="Stop all marketing?").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**" + path)
    page.get_by_role("button", name="Stop all marketing").click()
    page.get_by_role("button", name="Stop all marketing").click()
    page.wait_for_url("**" + path)
    assert page.get_by_text("You objected to Offers by post.").is_visible()
