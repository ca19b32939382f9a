"""A one-click unsubscribe writes exactly what the consent ledger writes for the same refusal:
the same events (with the request's minimised context), the same state rows pointing at them,
and nothing at all on a replay."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre import clock, tokens
from preference_centre.consent import Actor, history, record_changes
from preference_centre.extensions import db
from preference_centre.models import ConsentState, Person

USER_AGENT = "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0"
# What the view builds for the test client's request (remote address 127.0.0.1).
ACTOR_OF = dict(source="one_click", actor_type="person", ip="127.0.0.1", user_agent=USER_AGENT,
                message_ref="m9")
EMAIL_MARKETING = {"email:offers": False, "email:updates": False, "email:policy": False}


def snapshot(person_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db.session.expire_all()
    events = [(e.purpose, e.old_value, e.new_value, e.source, e.actor_type,
               e.notice_version, e.ip_prefix, e.ua_family, e.message_ref)
              for e in reversed(history(person_id))]
    states = db.session.execute(
        db.select(ConsentState).where(ConsentState.person_id == person_id)
        .order_by(ConsentState.purpose)).scalars().all()
    event_ids = {e.id: e.purpose for e in history(person_id)}
    rows = [(s.purpose, s.allowed, event_ids.get(s.last_event_id)) for s in states]
    return events, rows


@pytest.mark.parametrize("before", [
    {},
    {"email:offers": True},
    {"email:offers": True, "email:updates": False, "post:offers": False},
    {"email:updates": True, "email:policy": True},
])
def test_one_click_writes_what_the_ledger_writes(app: Any, make_person: Any, frozen_clock: Any,
                                                 before: dict[str, bool]) -> None:
    ledger_person, clicked = make_person(), make_person()
    for person in (ledger_person, clicked):
        if before:
            record_changes(person.id, before, Actor(source="form"))
    db.session.commit()
    url = "/u/" + tokens.make_unsubscribe_token(clicked.id, "email", "*", "m9")
    client = app.test_client()
    for _ in range(2):  # the second round is a replay: nothing more may be written
        made = record_changes(ledger_person.id, EMAIL_MARKETING,
                              Actor(actor_id=str(ledger_person.id), **ACTOR_OF))
        db.session.commit()
        response = client.post(url, data={"List-Unsubscribe": "One-Click"},
                               headers={"User-Agent": USER_AGENT})
        assert response.status_code == 200
    assert made == []
    assert snapshot(clicked.id) == snapshot(ledger_person.id)
    assert {e.actor_id for e in history(clicked.id) if e.source == "one_click"} <= {
        str(clicked.id)}


def test_returned_events_are_the_rows_written(app: Any, make_person: Any) -> None:
    person = make_person()
    actor = Actor(actor_id=str(person.id), **ACTOR_OF)
    made = record_changes(person.id, {"email:offers": True, "post:offers": False}, actor)
    db.session.commit()
    db.session.expire_all()
    stored = {e.id: e for e in history(person.id)}
    assert len(made) == 2
    for event in made:
        row = stored[event.id]
        assert (row.purpose, row.old_value, row.new_value, row.occurred_at, row.source,
                row.actor_id, row.notice_version, row.ip_prefix, row.ua_family,
                row.message_ref) == (
            event.purpose, event.old_value, event.new_value, event.occurred_at, event.source,
            event.actor_id, event.notice_version, event.ip_prefix, event.ua_family,
            event.message_ref)


def test_one_click_records_when_it_happened(app: Any, make_person: Any,
                                            frozen_clock: Any) -> None:
    """The refusal and the person's "record last changed" both carry the time of the click,
    as aware UTC times, and the stored answer reads back as a refusal, not a number."""
    person = make_person()
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    db.session.commit()
    frozen_clock.advance(days=3)
    url = "/u/" + tokens.make_unsubscribe_token(person.id, "email", "offers", "m9")
    response = app.test_client().post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    refusal = history(person.id, limit=1)[0]
    assert (refusal.source, refusal.new_value, refusal.old_value) == ("one_click", False, True)
    assert refusal.occurred_at == clock.utcnow() and refusal.occurred_at.tzinfo is not None
    assert db.session.get(Person, person.id).updated_at == clock.utcnow()
    state = db.session.get(ConsentState, (person.id, "email:offers"))
    assert state.allowed is False and state.last_event_id == refusal.id
