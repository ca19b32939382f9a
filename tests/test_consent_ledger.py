"""The consent ledger: append-only, state in step, concurrent changes never lost."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from preference_centre.consent import (
    Actor,
    UnknownPerson,
    UnknownPurpose,
    current_state,
    ensure_current_notice,
    history,
    purposes_from_config,
    record_changes,
)
from preference_centre.consent.catalogue import CONSENT, CONTRACT, LEGITIMATE_INTERESTS
from preference_centre.database.postgresql import allow_ledger_pseudonymisation
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, ConsentState, NoticeVersion

FORM = Actor(source="form", actor_type="person", actor_id="1")


def test_the_catalogue_matches_the_contract(app):
    purposes = purposes_from_config(app.config)
    bases = {key: p.basis for key, p in purposes.items()}
    assert bases == {
        "email:offers": CONSENT, "sms:offers": CONSENT, "email:updates": CONSENT,
        "sms:updates": CONSENT, "email:policy": CONSENT, "sms:policy": CONSENT,
        "post:offers": LEGITIMATE_INTERESTS, "phone:offers": LEGITIMATE_INTERESTS,
        "ads:personalised": CONSENT, "profiling": CONSENT,
        "security_monitoring": LEGITIMATE_INTERESTS, "service_messages": CONTRACT,
        "cookies:analytics": CONSENT, "cookies:marketing": CONSENT,
    }
    assert all(p.title and p.description for p in purposes.values())


def test_only_real_changes_become_events_and_each_names_the_notice(app, make_person):
    person = make_person()
    first = record_changes(person.id, {"email:offers": True, "sms:offers": False}, FORM)
    again = record_changes(person.id, {"email:offers": True}, FORM)
    db.session.commit()
    assert [e.purpose for e in first] == ["email:offers"]  # refusing a refused box: no event
    assert again == []
    assert first[0].notice_version == "1"
    assert db.session.execute(db.select(NoticeVersion.version)).scalars().all() == ["1"]


def _state_row(person_id, purpose):
    return db.session.execute(
        db.select(ConsentState.allowed, ConsentState.last_event_id)
        .where(ConsentState.person_id == person_id, ConsentState.purpose == purpose)
    ).one_or_none()


def test_the_database_sets_the_state_from_every_new_ledger_row(app, make_person):
    # Whoever writes the ledger (here the ORM, not record_changes), the state follows it.
    person = make_person()
    for allowed in (True, False):
        event = ConsentEvent(person_id=person.id, purpose="email:offers", old_value=None,
                             new_value=allowed, source="import", actor_type="system")
        db.session.add(event)
        db.session.commit()
        assert tuple(_state_row(person.id, "email:offers")) == (allowed, event.id)
    assert current_state(person.id)["email:offers"] is False


def test_unknown_purposes_and_people_are_refused_and_nothing_is_written(app, make_person):
    person = make_person()
    with pytest.raises(UnknownPurpose):
        record_changes(person.id, {"email:offers": True, "carrier:pigeon": True}, FORM)
    with pytest.raises(UnknownPerson):
        record_changes(person.id + 99, {"email:offers": True}, FORM)
    db.session.rollback()
    assert history(person.id) == []


def test_no_changes_writes_nothing_but_still_knows_the_person(app, make_person):
    person = make_person()
    assert record_changes(person.id, {}, FORM) == []
    with pytest.raises(UnknownPerson):
        record_changes(person.id + 99, {}, FORM)


def test_ensure_current_notice_creates_version_one_once(app):
    assert ensure_current_notice().version == "1"
    assert ensure_current_notice().version == "1"
    assert db.session.execute(db.select(db.func.count(NoticeVersion.id))).scalar_one() == 1


def test_gpc_is_recorded_even_when_it_restates_the_default(app, make_person):
    person = make_person()
    events = record_changes(person.id, {"profiling": False}, Actor(source="gpc"))
    assert [(e.purpose, e.old_value, e.new_value) for e in events] == [("profiling", None, False)]
    assert record_changes(person.id, {"profiling": False}, Actor(source="gpc")) == []


def postgres_only(engine_name: str) -> None:
    if engine_name != "postgresql":
        pytest.skip("row locks are a PostgreSQL feature (SQLite has one writer at a time)")


# What erasure does to an erased person's rows (data_rights PSEUDONYMISE_LEDGER).
PSEUDONYMISE = ("UPDATE consent_events SET person_id = NULL, ip_prefix = NULL, "
                "ua_family = NULL, actor_id = NULL, message_ref = NULL, erasure_ref = 'r1'")


@pytest.mark.parametrize("statement", [
    "UPDATE consent_events SET new_value = NOT new_value",
    "UPDATE consent_events SET notice_version = '9'",
    "UPDATE consent_events SET ip_prefix = NULL, erasure_ref = 'r1'",
    PSEUDONYMISE + ", occurred_at = occurred_at, source = 'staff'",
    "DELETE FROM consent_events",
])
def test_the_database_refuses_to_rewrite_the_ledger(app, make_person, statement):
    person = make_person()
    record_changes(person.id, {"email:offers": True}, FORM)
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    [event] = history(person.id)
    assert (event.new_value, event.source, event.person_id) == (True, "form", person.id)


def test_only_erasure_may_pseudonymise_ledger_rows(app, make_person):
    person = make_person()
    record_changes(person.id, {"email:offers": True}, FORM)
    db.session.commit()
    allow_ledger_pseudonymisation()
    db.session.execute(text(PSEUDONYMISE))
    db.session.commit()
    row = db.session.execute(text(
        "SELECT person_id, actor_id, erasure_ref, purpose, new_value FROM consent_events"
    )).one()
    assert tuple(row) == (None, None, "r1", "email:offers", True)
    for statement in ("UPDATE consent_events SET erasure_ref = 'r2'",  # the permission
                      "DELETE FROM consent_events"):                   # ended with it
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


@pytest.mark.postgres_only
def test_twenty_concurrent_writers_lose_no_event(app, engine_name, make_person):
    postgres_only(engine_name)
    person = make_person()
    person_id = person.id
    keys = ["email:offers", "email:updates", "sms:offers", "post:offers"]
    successes: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            with app.app_context():
                start.wait()
                for _ in range(3):
                    changes = {key: rng.random() < 0.5 for key in rng.sample(keys, 2)}
                    actor = Actor(source="form", actor_type="person", actor_id=str(seed))
                    made = record_changes(person_id, changes, actor)
                    db.session.commit()
                    with lock:
                        successes.append(len(made))
                db.session.remove()
        except BaseException as exc:  # reported below, so a thread cannot fail silently
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(successes) == 60
    db.session.expire_all()
    events = list(reversed(history(person_id)))
    assert len(events) == sum(successes)
    state = current_state(person_id)
    for key in keys:
        chain = [e for e in events if e.purpose == key]
        # Each event starts from the value the one before it left: no lost update.
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.old_value == before.new_value
        if chain:
            assert state[key] == chain[-1].new_value
            row = db.session.get(ConsentState, (person_id, key))
            assert row.last_event_id == chain[-1].id
    assert db.session.execute(
        db.select(db.func.count(ConsentEvent.id))
    ).scalar_one() == sum(successes)
