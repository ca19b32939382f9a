"""A marketing colleague in a real browser takes down a phone call: looks the caller up,
records their objection to post, then a grant that needs the notice they were given.
axe-core checks every page."""

from __future__ import annotations

import pytest

from preference_centre.consent import Actor, history, may_contact, record_changes
from preference_centre.extensions import db
from tests.helpers_browser import assert_accessible, log_in_staff


@pytest.mark.browser
def test_a_phone_call_taken_down_on_the_look_up_page(app, page, live_server, make_staff,
                                                     make_person):
    caller = make_person(email="caller@example.com")
    record_changes(caller.id, {"email:offers": True}, Actor(source="form"))
    db.session.commit()
    member = make_staff("marketing", logged_in=False)

    log_in_staff(page, member, live_server)
    page.get_by_role("navigation", name="Staff console").get_by_role(
        "link", name="People").click()
    page.get_by_label("Email address").fill("caller@example.com")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="Record a choice the person asked us to make").wait_for()
    assert_accessible(page)

    # The choices name what they do for the purpose chosen (the page's script).
    assert page.get_by_label("Turn off / stop (objection)").count() == 1
    page.get_by_label("Purpose").select_option("post:offers")
    page.get_by_label("Stop (objection)").check()
    page.get_by_label("Phone call").check()
    page.get_by_role("button", name="Record the choice").click()
    page.get_by_text("Recorded: the person objected to Offers by post, as they asked by "
                     "phone call.").wait_for()
    assert page.url == f"{live_server}/staff/people/{caller.id}"
    page.get_by_text("staff recorded, at the person's request by phone call, that the person "
                     "objected to Offers by post").wait_for()
    assert_accessible(page)

    # A grant without what the person was given is sent back with the reason.
    page.get_by_label("Purpose").select_option("email:updates")
    page.get_by_label("Turn on", exact=True).check()
    page.get_by_label("Letter").check()
    page.get_by_role("button", name="Record the choice").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="To turn something on, choose the privacy notice").click()
    page.get_by_label("Privacy notice they were given").select_option("1")
    page.get_by_role("button", name="Record the choice").click()
    page.get_by_text("Recorded: the person turned on Website and app updates by email, as "
                     "they asked by letter.").wait_for()

    db.session.expire_all()
    assert not may_contact(caller.id, "post", "offers").allowed
    assert may_contact(caller.id, "email", "updates").allowed
    assert [e.collection_point for e in history(caller.id)[:2]] == [
        "staff on request: letter", "staff on request: phone call"]


@pytest.mark.browser
def test_on_a_phone_the_choices_read_as_a_list_not_a_table_to_scroll(
        app, page, live_server, make_staff, make_person):
    make_person(email="caller@example.com")
    log_in_staff(page, make_staff("marketing", logged_in=False), live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/staff/people?email=caller@example.com")
    region = page.get_by_role("region", name="Choices now")
    assert region.evaluate("element => element.scrollWidth <= element.clientWidth")
    # Each answer sits on its own line under its purpose, not in a column beside it.
    purpose = region.get_by_role("rowheader").first.bounding_box()
    answer = region.get_by_role("cell").first.bounding_box()
    assert answer["y"] >= purpose["y"] + purpose["height"] and answer["x"] == purpose["x"]
    assert region.get_by_role("columnheader", name="May we contact them now?").count() == 1
    assert_accessible(page)
    page.goto(f"{live_server}/staff/team")  # another role's page, still inside the console
    page.get_by_role("heading", name="You cannot do that").wait_for()
    assert_accessible(page)


@pytest.mark.browser
def test_a_record_not_looked_up_says_how_to_open_it(app, page, live_server, make_staff,
                                                    make_person):
    stranger = make_person(email="stranger@example.com")
    member = make_staff("marketing", logged_in=False)
    log_in_staff(page, member, live_server)
    page.goto(f"{live_server}/staff/people/{stranger.id}")
    page.get_by_role("heading", name="Look the person up first").wait_for()
    assert page.get_by_text("stranger@example.com").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Look a person up").click()
    page.get_by_label("Email address").fill("stranger@example.com")
    page.get_by_role("button", name="Look up").click()
    page.goto(f"{live_server}/staff/people/{stranger.id}")
    page.get_by_role("heading", name="Record a choice the person asked us to make").wait_for()
