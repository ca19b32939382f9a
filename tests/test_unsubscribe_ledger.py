"""The one-click hot path writes exactly what the consent ledger would write."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre.consent import Actor, UnknownPerson, history, record_changes
from preference_centre.extensions import db
from preference_centre.models import ConsentState
from preference_centre.unsubscribe import fastpath

ACTOR = Actor(source="one_click", actor_type="person", actor_id="x", ip="203.0.113.9",
              user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/120.0", message_ref="m9")
KEYS = ["email:offers", "email:updates", "email:policy", "post:offers", "phone:offers"]


def snapshot(person_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db.session.expire_all()
    events = [(e.purpose, e.old_value, e.new_value, e.source, e.actor_type, e.actor_id,
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
    {"phone:offers": True, "email:policy": True},
])
def test_withdraw_matches_record_changes(app: Any, make_person: Any, frozen_clock: Any,
                                         before: dict[str, bool]) -> None:
    ledger_person, fast_person = make_person(), make_person()
    for person in (ledger_person, fast_person):
        if before:
            record_changes(person.id, before, Actor(source="form"))
    db.session.commit()
    for _ in range(2):  # the second round is a replay: nothing more may be written
        record_changes(ledger_person.id, {key: False for key in KEYS}, ACTOR)
        changed = fastpath.withdraw(fast_person.id, KEYS, ACTOR)
        db.session.commit()
    assert snapshot(fast_person.id) == snapshot(ledger_person.id)
    assert changed == []


def test_withdraw_for_nobody_raises(app: Any) -> None:
    with pytest.raises(UnknownPerson):
        fastpath.withdraw(424242, KEYS, ACTOR)
