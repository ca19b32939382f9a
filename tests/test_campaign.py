"""Campaigns queue one personalised message to exactly the people whose consent allows it,
and one received campaign email can be unsubscribed from as a mailbox provider would."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.messaging import CampaignError, deliver_due, queue_campaign
from preference_centre.models import Campaign, OutboxMessage
from tests.helpers_messaging import body_text, one_line_header, raw_to


@pytest.fixture
def people(make_person, consent):
    """One person who consented to email offers, and three who must not get them."""
    yes = make_person(email="yes@example.com", name="Yasmin Khan")
    no = make_person(email="no@example.com")
    consent(no, **{"email:offers": False})
    other_topic = make_person(email="updates@example.com")
    consent(other_topic, **{"email:updates": True})
    unconfirmed = make_person(email="pending@example.com", status="pending")
    consent(yes, **{"email:offers": True})
    consent(unconfirmed, **{"email:offers": True})
    return {"yes": yes, "no": no, "other": other_topic, "pending": unconfirmed}


def test_a_campaign_queues_only_people_who_consented(app, mailbox, people):
    campaign = queue_campaign("offers", "email", "Offers for {{ first_name }}",
                              "Hello {{ name }},\n\nTwo for one this week.")
    db.session.commit()
    assert (campaign.queued_count, campaign.excluded_count) == (1, 3)
    rows = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert [(r.person_id, r.campaign_id, r.purpose) for r in rows] == [
        (people["yes"].id, campaign.id, "email:offers")]
    assert rows[0].body_text is None  # rendered when sent, not copied into every row

    assert deliver_due()["sent"] == 1
    message = mailbox.last_to("yes@example.com")
    assert message["Subject"] == "Offers for Yasmin"
    assert "Hello Yasmin Khan," in body_text(message)
    assert "<p>Two for one this week.</p>" in message.get_body(("html",)).get_content()
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["yes@example.com"]]


def test_a_person_without_a_name_gets_what_the_template_says_instead(app, mailbox,
                                                                    make_person, consent):
    person = make_person(email="anon@example.com")
    consent(person, **{"email:updates": True})
    queue_campaign("updates", "email", 'Offers for {{ first_name or "you" }}',
                   'Hello {{ name or "there" }}, the app is new.')
    db.session.commit()
    deliver_due()
    message = mailbox.last_to("anon@example.com")
    assert message["Subject"] == "Offers for you"
    assert "Hello there, the app is new." in body_text(message)


def test_a_bare_first_name_placeholder_never_says_there(app):
    from preference_centre.messaging.campaigns import CampaignRenderer
    from preference_centre.messaging.senders import Contact

    content = CampaignRenderer("Offers for {{ first_name }}", "Hi {{ name }}").render(
        Contact(1, None, None, None))
    assert "there" not in content.subject and "there" not in content.text


def test_each_person_gets_their_own_name_though_renderings_are_reused(app):
    from preference_centre.messaging.campaigns import CampaignRenderer
    from preference_centre.messaging.senders import Contact

    renderer = CampaignRenderer("Offers for {{ first_name }}", "Hello {{ name }} & co\n\nNews.")
    names = ["Ada Lovelace", "Ada Byron", None, "Bob <b>", "Ada Lovelace"]
    rendered = [renderer.render(Contact(n, None, name, None)) for n, name in enumerate(names)]
    assert [content.subject for content in rendered] == [
        "Offers for Ada", "Offers for Ada", "Offers for", "Offers for Bob",
        "Offers for Ada"]
    assert [content.text.split("\n")[0] for content in rendered] == [
        "Hello Ada Lovelace & co", "Hello Ada Byron & co", "Hello  & co",
        "Hello Bob <b> & co", "Hello Ada Lovelace & co"]
    assert rendered[3].html == "<p>Hello Bob &lt;b&gt; &amp; co</p>\n<p>News.</p>"


@pytest.mark.parametrize(("topic", "channel", "subject", "body", "reason"), [
    ("nonsense", "email", "S", "Body", "unknown marketing topic"),
    ("offers", "fax", "S", "Body", "unknown marketing topic"),
    ("offers", "email", "S", "   ", "body is empty"),
    ("offers", "email", "", "Body", "subject is empty"),
    ("offers", "email", "S", "Hello {{ surname }}", "cannot be used"),
    ("offers", "email", "S", "Hello {{ name", "cannot be used"),
])
def test_a_campaign_that_cannot_be_sent_is_refused(app, people, topic, channel, subject, body,
                                                   reason):
    with pytest.raises(CampaignError, match=reason):
        queue_campaign(topic, channel, subject, body)


def test_campaign_command_prints_queued_and_excluded(app, runner, people, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text("Hello {{ name }}")
    result = runner.invoke(args=["campaign", "send", "--topic", "offers", "--channel", "email",
                                 "--subject", "This week", "--body-file", str(body)])
    assert result.exit_code == 0, result.output
    assert "queued 1, excluded 3" in result.output
    assert db.session.execute(db.select(Campaign.created_by)).scalar_one() == "cli"


@pytest.mark.parametrize(("args", "reason"), [
    (["--topic", "nonsense"], "unknown marketing topic"),
    (["--topic", "offers", "--body-file", "/nonexistent/body.txt"], "cannot read the body file"),
])
def test_campaign_command_refuses_bad_arguments_and_queues_nothing(app, runner, people,
                                                                   tmp_path, args, reason):
    body = tmp_path / "body.txt"
    body.write_text("Hello")
    base = ["campaign", "send", "--channel", "email", "--subject", "S"]
    if "--body-file" not in args:
        args = [*args, "--body-file", str(body)]
    result = runner.invoke(args=base + args)
    assert result.exit_code != 0
    assert reason in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert db.session.execute(db.select(OutboxMessage)).first() is None
    assert db.session.execute(db.select(Campaign)).first() is None


def test_campaign_command_shows_progress_for_large_runs(app, runner, people, tmp_path,
                                                        monkeypatch, consent):
    from preference_centre.messaging import campaigns, cli

    monkeypatch.setattr(cli, "PROGRESS_FROM", 1)
    monkeypatch.setattr(campaigns, "CHUNK", 1)
    consent(people["other"], **{"email:offers": True})
    body = tmp_path / "body.txt"
    body.write_text("Hello")
    result = runner.invoke(args=["campaign", "send", "--topic", "offers", "--subject", "S",
                                 "--body-file", str(body)])
    assert result.exit_code == 0, result.output
    assert "queued 1 of 2" in result.output and "queued 2 of 2" in result.output


def test_one_click_from_a_received_campaign_email_stops_the_next_campaign(
        app, client, mailbox, people):
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}")
    db.session.commit()
    deliver_due()
    url = one_line_header(raw_to(mailbox, "yes@example.com"), "List-Unsubscribe")[1:-1]
    client.delete_cookie("session")
    response = client.post(url.replace(app.config["BASE_URL"], ""),
                           data={"List-Unsubscribe": "One-Click"},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200

    campaign = queue_campaign("offers", "email", "More offers", "Hello again")
    db.session.commit()
    assert campaign.queued_count == 0
