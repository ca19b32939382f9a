"""SQLite's writers: they queue for their turn instead of sleeping in the busy handler, and
the write-ahead log is checkpointed outside that queue, so it stays small."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from preference_centre.consent import Actor, history, record_changes
from preference_centre.database import sqlite_writers
from preference_centre.extensions import db

ONE_CLICK = Actor(source="one_click", actor_type="person", actor_id="1")


@pytest.fixture
def sqlite_only(engine_name):
    if engine_name != "sqlite":
        pytest.skip("the writer queue and checkpoints are SQLite matters")


def _wal(app) -> Path:
    return Path(db.engine.url.database + "-wal")


def _flip(person_id: int, allowed: bool, *, busy_handler: bool = True) -> None:
    with db.engine.begin() as connection:
        if not busy_handler:  # a writer meeting the write lock then fails at once
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
        record_changes(person_id, {"email:offers": allowed}, ONE_CLICK, connection=connection)


def test_the_log_is_checkpointed_as_writes_go_on(app, sqlite_only, make_person, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "CHECKPOINT_EVERY", 200)  # a tenth: a quicker test
    person = make_person()
    for n in range(600):  # ~1,800 changed rows; unchecked, the log would pass 10 MB
        _flip(person.id, n % 2 == 0)
    assert len(history(person.id)) == 600
    assert os.path.getsize(_wal(app)) < 4_000_000  # unchecked it reaches ~13 MB


def test_writers_from_several_threads_queue_for_their_turn_without_the_busy_handler(
        app, sqlite_only, make_person):
    # Without SQLite's busy handler a writer that meets another's write lock fails with
    # "database is locked": only the writer queue makes them wait for their turn.
    people = [make_person() for _ in range(4)]
    failures = []

    def writer(person_id: int) -> None:
        with app.app_context():
            try:
                for n in range(25):
                    _flip(person_id, n % 2 == 0, busy_handler=False)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert [len(history(p.id)) for p in people] == [25, 25, 25, 25]


def test_a_checkpoint_asked_for_while_answering_runs_after_the_response(app, sqlite_only,
                                                                        make_person, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "CHECKPOINT_EVERY", 200)
    person = make_person()
    with app.test_request_context():
        for n in range(80):  # ~240 changed rows: more than one checkpoint's worth
            _flip(person.id, n % 2 == 0)
        assert sqlite_writers.checkpoint_due(db.engine)  # not run while answering
    app.test_client().get("/healthz").close()
    assert not sqlite_writers.checkpoint_due(db.engine)
