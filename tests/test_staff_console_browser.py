"""A marketing colleague in a real browser: log in, the dashboard, a person looked up,
a list downloaded, a campaign composed, previewed and sent. axe-core checks every page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from tests.helpers_browser import assert_accessible, drawn_label, fits_its_box, log_in_staff


@pytest.mark.browser
def test_log_in_dashboard_look_up_export_and_a_campaign_sent(app, page, live_server,
                                                             make_staff, make_person):
    for n, allowed in enumerate((True, True, False)):
        person = make_person(email=f"reader{n}@example.com")
        record_changes(person.id, {"email:offers": allowed}, Actor(source="form"))
    db.session.commit()
    member = make_staff("marketing", logged_in=False)

    log_in_staff(page, member, live_server)
    assert page.get_by_role("img", name="Opt-ins and opt-outs per week").is_visible()
    page.get_by_text("The same figures as a table").click()
    assert_accessible(page)

    nav = page.get_by_role("navigation", name="Staff console")
    nav.get_by_role("link", name="People").click()
    page.get_by_label("Email address").fill("Reader0@example.com")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="reader0@example.com").wait_for()
    assert "email=" not in page.url  # the address went in the form, not the address bar
    assert_accessible(page)
    page.get_by_label("Email address").fill("stranger@example.com")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="Nobody found").wait_for()
    assert_accessible(page)

    nav.get_by_role("link", name="Exports").click()
    page.get_by_role("heading", name="Exports", exact=True).wait_for()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Suppression list: email").click()
    download = info.value
    assert download.suggested_filename.startswith("suppression-email-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [row[0] for row in rows] == ["email", "reader2@example.com"]

    nav.get_by_role("link", name="Campaigns").click()
    assert_accessible(page)
    page.get_by_role("link", name="Compose a campaign").click()
    page.get_by_role("button", name="Preview").click()  # nothing filled in
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_label("Topic").select_option("offers")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Subject (email only)").fill("Two for one, {{ first_name }}")
    page.get_by_label("Message", exact=True).fill("Hello {{ name }},\n\nTwo for one this week.")
    page.get_by_label("HTML version (optional, email only)").fill(
        "<p>Hello <b>{{ name }}</b></p>")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Two for one, Alex").wait_for()
    assert page.frame_locator("iframe").locator("b").inner_text() == "Alex Sample"
    assert_accessible(page)
    page.get_by_role("button", name="Send to 2 people").click()
    page.get_by_text("Sent: 2 messages are on their way.").wait_for()
    assert_accessible(page)
    page.reload()
    page.get_by_role("heading", name="Progress").wait_for()
    nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("cell", name="Two for one, {{ first_name }}").wait_for()


@pytest.mark.browser
def test_on_a_phone_the_dashboard_figures_read_as_one_card_per_purpose(app, page, live_server,
                                                                       make_staff, make_person):
    for n, allowed in enumerate((True, False, None)):
        person = make_person(email=f"card{n}@example.com")
        if allowed is not None:
            record_changes(person.id, {"email:offers": True}, Actor(source="form"))
        if allowed is False:
            record_changes(person.id, {"email:offers": False}, Actor(source="form"))
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_staff(page, make_staff("marketing", logged_in=False), live_server)

    figures = page.locator("table.staff-figures")
    # No sideways scrolling: the table fits the phone.
    assert fits_its_box(figures)
    card = figures.get_by_role("row", name="Offers by email")
    withdrew = card.locator("td[data-label='Withdrew consent']")
    assert withdrew.is_visible() and withdrew.inner_text().strip() == "1"
    # Each figure shows its column's name beside it (drawn by CSS from data-label).
    assert "Withdrew consent" in drawn_label(withdrew)
    # A reason nobody has is out of sight, yet still a cell of the table under its header.
    objected = card.locator("td[data-label='Objected']")
    assert objected.text_content() == "0"
    assert objected.evaluate("td => td.getBoundingClientRect().width <= 1")
    assert card.locator("td").count() == figures.locator("thead th").count() - 1
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/staff/team", "/staff/audit"])
def test_on_a_phone_the_team_and_the_audit_log_are_cards_that_fit(page, live_server,
                                                                  make_staff, path):
    page.set_viewport_size({"width": 390, "height": 844})
    admin = make_staff("admin", logged_in=False)
    log_in_staff(page, admin, live_server)
    page.goto(live_server + path)
    table = page.locator("main table")
    assert fits_its_box(table)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Each row's values carry their column's name, drawn beside them.
    labelled = table.locator("td[data-label]").first
    label = labelled.get_attribute("data-label")
    assert label in drawn_label(labelled)
    assert_accessible(page)
