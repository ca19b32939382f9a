"""Fewer messages without stopping them: a pause of all marketing that ends by itself (or
sooner, when the person says so), and a pace per email topic that the outbox keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from preference_centre.api.auth import create_api_key
from preference_centre.consent import Actor, audience, may_contact
from preference_centre.consent.decisions import may_contact_many
from preference_centre.consent.pacing import (
    BadChoice,
    pause,
    pause_end,
    paused_until,
    resume,
    set_paces,
)
from preference_centre.console.campaigns import campaign_progress
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due, queue_campaign
from preference_centre.models import ConsentEvent, ConsentState, OutboxMessage

ME = Actor(source="form")


def _paused_for_three_months(make_person, frozen_clock, consent):
    person = make_person(email="rest@example.com")
    consent(person, **{"email:offers": True})
    pause(person.id, 3, ME)
    db.session.commit()
    return person


def _statuses(person):
    return list(db.session.execute(
        select(OutboxMessage.status).where(OutboxMessage.person_id == person.id)
        .order_by(OutboxMessage.id)).scalars())


def test_a_pause_holds_back_all_marketing_until_its_end_date_then_ends_by_itself(
        app, make_person, frozen_clock, consent):
    person = _paused_for_three_months(make_person, frozen_clock, consent)  # on 2026-11-24
    expected = "paused until 2027-02-24"
    assert may_contact(person.id, "email", "offers").reason == expected
    assert not may_contact(person.id, "post", "offers")  # legitimate interests: paused too
    assert may_contact_many([person.id], "email", "offers")[person.id].reason == expected
    assert person.id not in db.session.execute(audience("email", "offers")).scalars().all()
    assert paused_until(person.id).isoformat() == "2027-02-24"

    frozen_clock.set(datetime(2027, 2, 23, 23, 59, tzinfo=UTC))
    assert not may_contact(person.id, "email", "offers")
    frozen_clock.set(datetime(2027, 2, 24, 0, 0, tzinfo=UTC))  # no job: the clock ends it
    assert may_contact(person.id, "email", "offers").reason == "consent given"
    assert person.id in db.session.execute(audience("email", "offers")).scalars().all()
    assert paused_until(person.id) is None


def test_a_pause_does_not_turn_a_refusal_into_a_pause(app, make_person, frozen_clock, consent):
    person = _paused_for_three_months(make_person, frozen_clock, consent)
    assert may_contact(person.id, "email", "updates").reason == "no consent"
    assert may_contact(person.id, "ads", "personalised").reason == "no consent"


def test_resuming_ends_the_pause_at_once_and_is_in_the_ledger(app, make_person, frozen_clock,
                                                             consent):
    person = _paused_for_three_months(make_person, frozen_clock, consent)
    frozen_clock.advance(days=10)
    assert resume(person.id, ME) is not None
    db.session.commit()
    assert may_contact(person.id, "email", "offers")
    assert resume(person.id, ME) is None  # not paused: nothing more to record
    events = db.session.execute(
        select(ConsentEvent.purpose, ConsentEvent.new_value, ConsentEvent.paused_until)
        .where(ConsentEvent.purpose == "pause:marketing").order_by(ConsentEvent.id)).all()
    assert [(e.new_value, e.paused_until and e.paused_until.date().isoformat())
            for e in events] == [(True, "2027-02-24"), (False, None)]
    # A pause is not a purpose: it has no current answer beside the purposes.
    assert db.session.execute(select(func.count()).select_from(ConsentState).where(
        ConsentState.purpose.like("pause:%"))).scalar_one() == 0


def test_only_the_pauses_offered_can_be_chosen(app, make_person):
    person = make_person()
    with pytest.raises(BadChoice):
        pause(person.id, 12, ME)
    assert pause_end(datetime(2027, 1, 31, 15, tzinfo=UTC), 1) == datetime(2027, 2, 28,
                                                                             tzinfo=UTC)


def test_marketing_due_while_paused_is_never_sent_but_service_messages_are(
        app, make_person, mailbox, frozen_clock, tmp_path, outbox, consent):
    person = _paused_for_three_months(make_person, frozen_clock, consent)
    queue_campaign("offers", "email", "Offers", "Hello")  # the audience leaves them out
    db.session.commit()
    assert _statuses(person) == []
    resume(person.id, ME)
    db.session.commit()
    queue_campaign("offers", "email", "Offers", "Hello")
    db.session.commit()
    pause(person.id, 1, ME)  # paused again after queueing, before sending
    db.session.commit()
    outbox.queue(person)
    counts = deliver_due()
    assert (counts["paused"], counts["sent"]) == (1, 1)
    assert _statuses(person) == ["paused", "sent"]  # the service message went
    frozen_clock.advance(days=40)  # the pause is over: what was due then stays unsent
    assert deliver_due()["sent"] == 0
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["rest@example.com"]]


def test_contact_check_answers_paused_until(app, client, make_person, frozen_clock, consent):
    _paused_for_three_months(make_person, frozen_clock, consent)
    _key, raw = create_api_key("Shop")
    db.session.commit()
    response = client.get("/api/v1/contact-check?email=rest@example.com&channel=email"
                          "&topic=offers", headers={"Authorization": f"Bearer {raw}"})
    assert response.json == {"allowed": False, "reason": "paused until 2027-02-24"}


def test_outbox_status_counts_paused_and_capped_messages(app, runner, make_person,
                                                         frozen_clock, consent):
    _paused_for_three_months(make_person, frozen_clock, consent)
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0
    assert "paused 0" in result.output and "capped 0" in result.output


# Pacing ----------------------------------------------------------------------------------------

def _paced(make_person, pace, consent):
    person = make_person(email="weekly@example.com")
    consent(person, **{"email:offers": True, "email:updates": True})
    set_paces(person.id, {"email:offers": pace}, ME)
    db.session.commit()
    return person


def _campaign(topic="offers"):
    campaign = queue_campaign(topic, "email", "News", "Hello")
    db.session.commit()
    deliver_due()
    return campaign


def test_at_most_weekly_holds_back_a_second_offer_within_seven_days(
        app, make_person, mailbox, frozen_clock, consent):
    person = _paced(make_person, "weekly", consent)
    first = _campaign()
    frozen_clock.advance(days=6, hours=23)
    second = _campaign()
    updates = _campaign("updates")  # another topic has its own pace (as it happens)
    assert campaign_progress(first.id)["sent"] == 1
    assert campaign_progress(second.id)["capped"] == 1
    assert campaign_progress(updates.id)["sent"] == 1
    frozen_clock.advance(hours=2)
    _campaign()
    assert _statuses(person) == ["sent", "capped", "sent", "sent"]
    capped = db.session.execute(select(OutboxMessage.last_error).where(
        OutboxMessage.status == "capped")).scalar_one()
    assert capped == "at most weekly"


def test_two_offers_in_one_window_leave_once_for_a_weekly_reader(app, make_person, mailbox,
                                                                 consent):
    _paced(make_person, "weekly", consent)
    queue_campaign("offers", "email", "One", "Hello")
    queue_campaign("offers", "email", "Two", "Hello")
    db.session.commit()
    counts = deliver_due()
    assert (counts["sent"], counts["capped"]) == (1, 1)
    assert len(mailbox.envelopes) == 1


def test_at_most_monthly_waits_thirty_days(app, make_person, mailbox, frozen_clock, consent):
    person = _paced(make_person, "monthly", consent)
    _campaign()
    frozen_clock.advance(days=10)
    _campaign()
    frozen_clock.advance(days=21)
    _campaign()
    assert _statuses(person) == ["sent", "capped", "sent"]
    set_paces(person.id, {"email:offers": "immediate"}, ME)  # back to as it happens
    db.session.commit()
    _campaign()
    assert _statuses(person)[-1] == "sent"
    paces = db.session.execute(select(ConsentEvent.pace).where(
        ConsentEvent.purpose == "pace:email:offers").order_by(ConsentEvent.id)).scalars().all()
    assert paces == ["monthly", "immediate"]
    assert db.session.execute(select(func.count()).select_from(ConsentState).where(
        ConsentState.purpose.like("pace:%"))).scalar_one() == 0


def test_a_pace_is_only_for_email_topics(app, make_person):
    person = make_person()
    with pytest.raises(BadChoice):
        set_paces(person.id, {"sms:offers": "weekly"}, ME)
    with pytest.raises(BadChoice):
        set_paces(person.id, {"email:offers": "daily"}, ME)
