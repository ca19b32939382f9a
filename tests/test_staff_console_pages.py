"""The console's pages as staff use them: the dashboard's figures, a look-up (audited, with
nothing said about an unknown address), the downloads (exactly the right people, audited,
named with the time), and a campaign that reaches exactly the consenting people once."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from preference_centre.consent import Actor, record_changes
from preference_centre.data_rights import requests as rights
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import Campaign, OutboxMessage, StaffAudit, UnsubscribeFeedback


def audits(action):
    return list(db.session.execute(
        db.select(StaffAudit).where(StaffAudit.action == action).order_by(StaffAudit.id)
    ).scalars())


@pytest.fixture
def people(make_person):
    def person(email, choices, **fields):
        found = make_person(email=email, **fields)
        record_changes(found.id, choices, Actor(source="form", notice_version="1"))
        db.session.commit()
        return found

    found = {
        "yes": person("yes@example.com", {"email:offers": True}, name="Yasmin Khan",
                      phone="07700 900111"),
        "also": person("also@example.com", {"email:offers": True}),
        "withdrew": person("withdrew@example.com", {"email:offers": True}),
        "never": person("never@example.com", {"email:updates": True}),
        "pending": person("pending@example.com", {"email:offers": True}, status="pending"),
        "restricted": person("restricted@example.com", {"email:offers": True}),
    }
    rights.restrict_processing(found["restricted"], None)
    record_changes(found["withdrew"].id, {"email:offers": False}, Actor(source="one_click"))
    db.session.commit()
    return found


def test_the_dashboard_counts_who_may_and_may_not_be_contacted_and_why(app, make_staff,
                                                                       people):
    db.session.add(UnsubscribeFeedback(channel="email", topic="offers", reason="too_many"))
    db.session.commit()
    page = make_staff("privacy").client.get("/staff").get_data(as_text=True)
    row = re.search(r'<th scope="row"[^>]*>Offers by email</th>(.*?)</tr>', page, re.S)
    cells = re.findall(r">([\d,]+)<", row.group(1))
    # may, may not, never, withdrew, objected, paused, unconfirmed, restricted, suppressed
    assert cells == ["2", "4", "1", "1", "0", "0", "1", "1", "0"]
    assert '<title id="weekly-chart-title">' in page and "<desc" in page
    assert page.count('<th scope="row">20') >= 53  # the weeks' table under the chart
    assert "You sent too many messages" in page


def test_a_look_up_by_posted_address_is_audited_and_marketing_sees_only_the_email(
        app, make_staff, people):
    member = make_staff("marketing")
    response = member.client.post("/staff/people", data={"email": " YES@example.com "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "yes@example.com" in page and "Offers by email" in page
    assert "the person turned on Offers by email" in page
    assert "07700 900111" not in page and "Yasmin" not in page
    assert "Proof of consent" not in page
    [entry] = audits("person.looked_up")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        member.user.id, "person", str(people["yes"].id))


def test_an_unknown_address_says_so_and_the_audit_holds_no_address(app, make_staff, people):
    member = make_staff("privacy")
    page = member.client.get("/staff/people?email=nobody%40example.com").get_data(
        as_text=True)
    assert "We hold nobody with exactly this email address." in page
    assert "Choices now" not in page
    [entry] = audits("person.looked_up")
    assert entry.target_id is None and "nobody@" not in (entry.detail or "")


def test_an_empty_look_up_is_explained_and_not_audited(app, make_staff):
    response = make_staff("marketing").client.post("/staff/people", data={"email": " "})
    assert response.status_code == 400
    assert "Enter the email address to look up." in response.get_data(as_text=True)
    assert audits("person.looked_up") == []


def test_privacy_sees_the_full_record_and_downloads_the_proof_of_consent(app, make_staff,
                                                                         people):
    member = make_staff("privacy")
    page = member.client.get("/staff/people?email=yes@example.com").get_data(as_text=True)
    assert "07700 900111" in page and "Yasmin Khan" in page
    person_id = people["yes"].id
    response = member.client.get(f"/staff/people/{person_id}/proof.json")
    assert response.status_code == 200
    assert re.fullmatch(rf'attachment; filename="consent-proof-{person_id}-'
                        r'\d{4}-\d\d-\d\dT\d{4}Z\.json"',
                        response.headers["Content-Disposition"])
    proof = json.loads(response.data)
    [event] = proof["events"]
    assert (event["purpose"], event["new_value"], event["source"], event["notice_version"]) == (
        "email:offers", True, "form", "1")
    assert event["notice_url"].startswith("http://") and "/privacy" in event["notice_url"]
    assert proof["notices"]["1"]["url"] == event["notice_url"]
    rows = list(csv.reader(io.StringIO(
        member.client.get(f"/staff/people/{person_id}/proof.csv").get_data(as_text=True))))
    assert rows[0][:3] == ["event_id", "occurred_at", "purpose"] and len(rows) == 2
    assert [e.target_id for e in audits("person.proof_downloaded")] == [str(person_id)] * 2
    assert make_staff("marketing").client.get(
        f"/staff/people/{person_id}/proof.json").status_code == 403


def test_an_export_holds_exactly_the_list_and_is_audited_with_its_row_count(
        app, make_staff, people, frozen_clock):
    member = make_staff("marketing")
    assert "Suppression list: email" in member.client.get("/staff/exports").get_data(
        as_text=True)
    response = member.client.get("/staff/exports/suppression-email.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    stamp = frozen_clock.now.strftime("%Y-%m-%dT%H%MZ")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="suppression-email-{stamp}.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["email", "email_hash", "reason", "since"]
    assert {row[0]: row[2] for row in rows[1:]} == {
        "withdrew@example.com": "withdrawn", "restricted@example.com": "processing restricted"}
    [started], [completed] = audits("export.started"), audits("export.completed")
    assert (started.target_id, completed.target_id) == ("suppression-email",) * 2
    assert completed.detail == "2 rows" and len(rows) == 3
    assert member.client.get("/staff/exports/everyone.csv").status_code == 404


def test_the_phone_list_download_has_only_name_and_number_of_who_may_be_called(
        app, make_staff, people):
    people["pending"].phone = "07700 900222"
    people["restricted"].phone = "07700 900333"
    db.session.commit()
    member = make_staff("marketing")
    text = member.client.get("/staff/exports/phone-contacts.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text))) == [["name", "phone"],
                                                    ["Yasmin Khan", "07700 900111"]]
    assert [a.detail for a in audits("export.completed")] == ["1 row"]


def test_a_campaign_from_the_pages_reaches_exactly_the_consenting_people_once(
        app, make_staff, people, mailbox):
    member = make_staff("marketing")
    client = member.client
    form = client.get("/staff/campaigns/new").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', form).group(1)
    fields = {"key": key, "topic": "offers", "channel": "email",
              "subject": "Offers for {{ first_name }}", "body_text": "Hello {{ name }}",
              "body_html": "<p>Hello <b>{{ name }}</b></p>"}
    composed = client.post("/staff/campaigns/new", data=fields)
    assert composed.status_code == 303
    campaign_page = composed.location
    page = client.get(campaign_page).get_data(as_text=True)
    assert "Offers for Alex" in page and "Hello Alex Sample" in page
    assert "<strong>2</strong> people would get it" in page
    for words, count in (("Never consented", 1), ("Withdrew consent", 1),
                         ("Address not confirmed", 1), ("Processing restricted", 1)):
        assert re.search(rf"<th scope=\"row\">{words}</th><td class=\"numeric\">{count}<",
                         page), words
    [campaign] = db.session.query(Campaign).all()
    preview = client.get(f"/staff/campaigns/{campaign.id}/preview")
    assert "<b>Alex Sample</b>" in preview.get_data(as_text=True)
    assert "sandbox" in preview.headers["Content-Security-Policy"]

    sent = client.post(f"/staff/campaigns/{campaign.id}/send")
    assert sent.status_code == 303 and sent.location == campaign_page
    assert "Sent: 2 messages are on their way." in client.get(campaign_page).get_data(
        as_text=True)
    assert deliver_due()["sent"] == 2
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == [
        "also@example.com", "yes@example.com"]
    assert mailbox.last_to("yes@example.com")["Subject"] == "Offers for Yasmin"

    # A second click, the compose form sent again, the same form with a changed text.
    again = client.post(f"/staff/campaigns/{campaign.id}/send")
    assert again.status_code == 303
    assert "already been sent. Nothing more was sent." in client.get(
        campaign_page).get_data(as_text=True)
    assert client.post("/staff/campaigns/new", data=fields).location == campaign_page
    changed = client.post("/staff/campaigns/new", data={**fields, "body_text": "Other"})
    assert changed.location == campaign_page
    assert deliver_due()["sent"] == 0 and len(mailbox.messages) == 2
    assert db.session.query(OutboxMessage).count() == 2
    assert db.session.query(Campaign).count() == 1
    progress = client.get(campaign_page).get_data(as_text=True)
    assert re.search(r"Sent</th><td class=\"numeric\">2<", progress)
    assert [a.target_id for a in audits("campaign.sent")] == [str(campaign.id)]
    listing = client.get("/staff/campaigns").get_data(as_text=True)
    assert "Offers for {{ first_name }}" in listing


def test_a_campaign_with_a_bad_placeholder_is_explained_and_nothing_is_saved(
        app, make_staff):
    client = make_staff("marketing").client
    response = client.post("/staff/campaigns/new", data={
        "key": "k1", "topic": "offers", "channel": "email", "subject": "Hi",
        "body_text": "Hello {{ surname }}"})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.query(Campaign).count() == 0
