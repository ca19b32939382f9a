"""A campaign composed in the console reaches exactly the people who consented, through the
real SMTP server, and is sent once however often the send button is pressed."""

from __future__ import annotations

import pytest

from preference_centre.consent import Actor, record_changes
from preference_centre.console.campaigns import (
    AlreadySent,
    campaign_audience,
    campaign_progress,
    compose_campaign,
    preview_campaign,
    send_campaign,
)
from preference_centre.data_rights import requests as rights
from preference_centre.extensions import db
from preference_centre.messaging import CampaignError, deliver_due
from preference_centre.models import Campaign, OutboxMessage


@pytest.fixture
def audience(make_person):
    def person(email, choices, **fields):
        found = make_person(email=email, **fields)
        record_changes(found.id, choices, Actor(source="form"))
        db.session.commit()
        return found

    return {
        "yes": person("yes@example.com", {"email:offers": True}, name="Yasmin Khan"),
        "also": person("also@example.com", {"email:offers": True}),
        "withdrew": person("withdrew@example.com", {"email:offers": True}),
        "never": person("never@example.com", {"email:updates": True}),
        "pending": person("pending@example.com", {"email:offers": True}, status="pending"),
        "restricted": person("restricted@example.com", {"email:offers": True}),
    }


def test_a_console_campaign_reaches_exactly_the_consenting_people_once(app, mailbox,
                                                                       audience):
    rights.restrict_processing(audience["restricted"], None)
    record_changes(audience["withdrew"].id, {"email:offers": False}, Actor(source="form"))
    db.session.commit()
    campaign = compose_campaign("offers", "email", "Offers for {{ first_name }}",
                                "Hello {{ name }},\n\nTwo for one.",
                                "<p>Hello <b>{{ name }}</b></p>", "form-1", "staff:1")
    db.session.commit()
    counts = campaign_audience("offers", "email")
    assert counts.recipients == 2
    assert {k: v for k, v in counts.excluded.items() if v} == {
        "withdrew": 1, "never": 1, "unconfirmed": 1, "restricted": 1}

    first = send_campaign(campaign.id)
    db.session.commit()
    assert first.sent_now and first.campaign.queued_count == 2
    assert campaign_progress(campaign.id)["queued"] == 2
    assert deliver_due()["sent"] == 2
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == [
        "also@example.com", "yes@example.com"]
    message = mailbox.last_to("yes@example.com")
    assert message["Subject"] == "Offers for Yasmin"
    assert "<b>Yasmin Khan</b>" in message.get_body(("html",)).get_content()

    # A double click, a reload of the send page, the compose form sent again: nothing more.
    again = send_campaign(campaign.id)
    same = compose_campaign("offers", "email", "Offers for {{ first_name }}",
                            "Hello {{ name }},\n\nTwo for one.",
                            "<p>Hello <b>{{ name }}</b></p>", "form-1", "staff:1")
    assert send_campaign(same.id).sent_now is False
    db.session.commit()
    assert again.sent_now is False and same.id == campaign.id
    assert deliver_due()["sent"] == 0
    assert len(mailbox.messages) == 2
    assert db.session.query(OutboxMessage).count() == 2
    assert db.session.query(Campaign).count() == 1
    assert campaign_progress(campaign.id) == {"queued": 0, "sent": 2, "suppressed": 0,
                                              "failed": 0, "cancelled": 0, "paused": 0,
                                              "capped": 0}


def test_consent_withdrawn_after_queueing_is_counted_as_suppressed_at_send_time(
        app, mailbox, audience):
    campaign = compose_campaign("offers", "email", "S", "Body", None, "form-2")
    send_campaign(campaign.id)
    db.session.commit()
    record_changes(audience["also"].id, {"email:offers": False}, Actor(source="one_click"))
    db.session.commit()
    deliver_due()
    progress = campaign_progress(campaign.id)
    assert (progress["sent"], progress["suppressed"], progress["queued"]) == (3, 1, 0)


def test_the_preview_uses_a_sample_name_and_escapes_it_in_html(app):
    campaign = compose_campaign("offers", "email", "Hi {{ first_name }}", "Dear {{ name }}",
                                "<p>Dear {{ name }}</p>", "form-3")
    content = preview_campaign(campaign, sample_name="Bob <script>")
    assert content.subject == "Hi Bob"
    assert content.text == "Dear Bob <script>"
    assert content.html == "<p>Dear Bob &lt;script&gt;</p>"
    assert preview_campaign(campaign).text == "Dear Alex Sample"


@pytest.mark.parametrize(("subject", "text", "html", "reason"), [
    ("S", "Hello {{ surname }}", None, "cannot be used"),
    ("S", "Body", "<p>{{ ''.__class__ }}</p>", "cannot be used"),
    ("S", "Body", "<p>{{ name", "cannot be used"),
    ("", "Body", None, "subject is empty"),
    ("S", " ", None, "body is empty"),
])
def test_a_campaign_with_a_bad_placeholder_is_refused_before_anything_is_saved(
        app, subject, text, html, reason):
    with pytest.raises(CampaignError, match=reason):
        compose_campaign("offers", "email", subject, text, html, "form-4")
    assert db.session.query(Campaign).count() == 0


def test_a_sent_campaign_cannot_be_changed_by_its_old_form(app, audience):
    campaign = compose_campaign("offers", "email", "S", "Body", None, "form-5")
    send_campaign(campaign.id)
    db.session.commit()
    with pytest.raises(AlreadySent):
        compose_campaign("offers", "email", "S", "Another body", None, "form-5")


def test_only_email_and_text_campaigns_are_composed_in_the_console(app):
    with pytest.raises(CampaignError, match="email or sms"):
        compose_campaign("offers", "post", "S", "Body", None, "form-6")
