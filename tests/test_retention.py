"""Retention: erased 36 calendar months after the last purchase and the last visit, with one
reminder before; bounded batches that survive being killed and do not erase twice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from preference_centre import clock
from preference_centre.data_rights.dates import add_months
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import ErasureReceipt, OutboxMessage, Person
from preference_centre.retention.run import run_retention
from tests.helpers_messaging import body_text


def _people() -> set[str]:
    return {p.email for p in db.session.execute(select(Person)).scalars()}


def _run(**kwargs):
    return run_retention(clock.utcnow(), **kwargs)


def test_boundary_one_day_either_side_of_36_months(app, make_person, frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    make_person(email="bought-too-long-ago@example.com",
                last_purchase_at=cutoff - timedelta(days=1))
    make_person(email="visited-just-inside@example.com", last_seen_at=cutoff + timedelta(days=1))
    make_person(email="old-buyer-recent-visit@example.com",
                last_purchase_at=cutoff - timedelta(days=400), last_seen_at=frozen_clock.now)
    make_person(email="never-active-old@example.com", created_at=cutoff - timedelta(days=1))
    make_person(email="never-active-new@example.com", created_at=cutoff + timedelta(days=1))

    summary = _run()

    assert summary.erased == 2
    assert _people() == {"visited-just-inside@example.com", "old-buyer-recent-visit@example.com",
                         "never-active-new@example.com"}
    receipt = db.session.execute(select(ErasureReceipt)).scalar_one()
    assert receipt.trigger == "retention" and receipt.counts["people"] == 2


def test_leap_day_purchase_is_kept_until_36_months_have_passed(app, make_person, frozen_clock):
    make_person(email="leap@example.com",
                last_purchase_at=datetime(2024, 2, 29, 12, tzinfo=UTC))
    frozen_clock.set(datetime(2027, 2, 28, 12, tzinfo=UTC))
    assert _run().erased == 0
    frozen_clock.set(datetime(2027, 3, 1, 12, tzinfo=UTC))
    assert _run().erased == 1


def test_dry_run_changes_nothing_and_prints_counts_only(app, runner, make_person, frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    for n in range(3):
        make_person(email=f"old{n}@example.com", last_seen_at=cutoff - timedelta(days=2))
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3  would be erased" in result.output
    assert "@" not in result.output
    assert len(_people()) == 3
    result = runner.invoke(args=["retention", "run"])
    assert "3  erased" in result.output and "@" not in result.output
    assert _people() == set()


def test_a_run_killed_after_one_batch_finishes_when_run_again(app, make_person, frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    for n in range(5):
        make_person(email=f"gone{n}@example.com", last_purchase_at=cutoff - timedelta(days=n + 1))
    make_person(email="stays@example.com", last_seen_at=frozen_clock.now)

    class Killed(Exception):
        pass

    def kill(done: int) -> None:
        raise Killed(done)

    with pytest.raises(Killed):
        _run(batch_size=2, after_batch=kill)
    db.session.rollback()
    assert len(_people()) == 4  # the first batch was committed whole

    assert _run(batch_size=2).erased == 3
    assert _people() == {"stays@example.com"}
    assert _run(batch_size=2).erased == 0
    receipts = db.session.execute(select(ErasureReceipt)).scalars().all()
    assert sum(r.counts["people"] for r in receipts) == 5


def test_one_reminder_before_erasure_and_activity_stops_the_clock(app, make_person, mailbox,
                                                                 frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    person = make_person(email="soon@example.com", last_seen_at=cutoff + timedelta(days=10))
    make_person(email="later@example.com", last_seen_at=cutoff + timedelta(days=60))

    assert _run().warned == 1
    assert _run().warned == 0  # once
    warnings = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.kind == "retention_warning")).scalars().all()
    assert [w.recipient for w in warnings] == ["soon@example.com"]

    frozen_clock.advance(days=5)
    db.session.execute(db.update(Person).where(Person.id == person.id)
                       .values(last_seen_at=frozen_clock.now))
    db.session.commit()
    summary = _run()
    assert summary.warnings_reset == 1 and summary.erased == 0
    assert db.session.get(Person, person.id).retention_warned_at is None


def test_without_an_account_saving_on_the_preference_page_from_the_reminder_keeps_the_data(
        app, client, make_person, mailbox, frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    person = make_person(email="news@example.com", password=None, origin="signup",
                         last_seen_at=cutoff + timedelta(days=10))
    assert _run().warned == 1
    deliver_due()
    reminder = body_text(mailbox.last_to("news@example.com"))
    assert "/login" not in reminder and "Save my choices" in reminder
    link = re.search(r"Save my choices.*?(https?://\S+/p/\S+)", reminder, re.S).group(1)
    path = link.removeprefix(app.config["BASE_URL"])

    frozen_clock.advance(days=5)
    assert client.get(path).status_code == 200
    assert _run().warnings_reset == 0  # opening the page is not enough: scanners open links
    assert client.post(path, data={}).status_code == 303  # "Save my choices", nothing ticked
    summary = _run()
    assert summary.warnings_reset == 1 and summary.erased == 0
    frozen_clock.advance(days=30)
    assert _run().erased == 0
    assert db.session.get(Person, person.id) is not None


def test_restricted_people_are_held_not_erased(app, make_person, frozen_clock):
    cutoff = add_months(frozen_clock.now, -36)
    make_person(email="disputed@example.com", last_seen_at=cutoff - timedelta(days=3),
                restricted_at=frozen_clock.now - timedelta(days=1))
    summary = _run()
    assert summary.erased == 0 and summary.held_restricted == 1


def test_unconfirmed_registrations_and_signups_are_purged(app, make_person, frozen_clock):
    week_ago = frozen_clock.now - timedelta(days=8)
    make_person(email="never-verified@example.com", status="pending", created_at=week_ago)
    make_person(email="never-confirmed@example.com", status="pending", origin="signup",
                password=None, created_at=week_ago)
    make_person(email="fresh@example.com", status="pending", origin="signup", password=None)
    summary = _run()
    assert summary.unverified_purged + summary.signups_purged == 2
    assert _people() == {"fresh@example.com"}


def test_two_runs_at_once_erase_each_person_once(app, make_person, frozen_clock):
    import threading

    cutoff = add_months(frozen_clock.now, -36)
    for n in range(40):
        make_person(email=f"twin{n}@example.com", password=None,
                    last_purchase_at=cutoff - timedelta(days=2))
    totals, errors = [], []

    def run() -> None:
        with app.app_context():
            try:
                totals.append(run_retention(frozen_clock.now, batch_size=5).erased)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(totals) == 40
    receipts = db.session.execute(select(ErasureReceipt)).scalars().all()
    assert sum(r.counts["people"] for r in receipts) == 40
    assert _people() == set()
