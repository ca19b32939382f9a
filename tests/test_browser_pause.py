"""In a real browser: pausing from the link in a real email, and choosing "at most weekly"."""

from __future__ import annotations

from sqlalchemy import select

from preference_centre.api.auth import create_api_key
from preference_centre.console.campaigns import campaign_progress
from preference_centre.extensions import db
from preference_centre.links import preference_link
from preference_centre.messaging import deliver_due, queue_campaign
from preference_centre.models import OutboxMessage
from tests.helpers_browser import assert_accessible


def _campaign(subject):
    campaign = queue_campaign("offers", "email", subject, "Hello {{ name }}")
    db.session.commit()
    deliver_due()
    return campaign


def test_pausing_for_three_months_from_the_link_in_a_real_email(
        page, client, make_person, mailbox, frozen_clock, consent):
    person = make_person(email="reader@example.com")
    consent(person, **{"email:offers": True})
    _campaign("This week's offers")
    header = mailbox.last_to("reader@example.com")["List-Unsubscribe"]
    page.goto(header.strip("<>"))
    page.get_by_role("heading", name="Or pause all marketing for a while").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Pause for 3 months").click()
    page.get_by_role("heading", name="Marketing is paused").wait_for()
    assert "24 February 2027" in page.content()
    assert_accessible(page)

    _key, raw = create_api_key("Shop")
    db.session.commit()
    answer = client.get("/api/v1/contact-check?email=reader@example.com&channel=email"
                        "&topic=offers", headers={"Authorization": f"Bearer {raw}"}).json
    assert answer == {"allowed": False, "reason": "paused until 2027-02-24"}


def test_at_most_weekly_for_offers_lets_one_of_two_campaigns_through(
        page, make_person, mailbox, frozen_clock, consent):
    person = make_person(email="weekly@example.com")
    consent(person, **{"email:offers": True})
    page.goto(preference_link(person.id))
    pacing = page.get_by_role("group", name="How often we email you")
    pacing.get_by_label("Offers").select_option(label="At most weekly")
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("You chose at most weekly for Offers by email.").wait_for()
    assert_accessible(page)

    first, second = _campaign("Monday offers"), _campaign("Thursday offers")
    assert [m["Subject"] for m in mailbox.to("weekly@example.com")] == ["Monday offers"]
    assert campaign_progress(first.id)["sent"] == 1
    assert campaign_progress(second.id)["capped"] == 1
    assert db.session.execute(select(OutboxMessage.last_error).where(
        OutboxMessage.campaign_id == second.id)).scalar_one() == "at most weekly"
