"""Staff console benchmark: people with consent states and a year of ledger events are
bulk-loaded (Core ``insert`` executemany; consent_state follows the ledger by its trigger),
with the console's count triggers off during the load and the counts then rebuilt by
``console.aggregate.backfill``, as a migration builds them; then at 100,000 and at 1,000,000
people it prints the dashboard time, the look-up time, the email suppression CSV's rows/s and
its peak RSS growth. (Through the count triggers a million people take hours on PostgreSQL:
each new person updates the same few count rows.)

Targets: dashboard < 500 ms at 1 M and at most 1.5 x its 100 k time; look-up < 50 ms;
suppression export >= 200,000 rows/s with < 30 MB RSS growth.

    .venv/bin/python bench/console.py [--people 1000000] [--database-url URL]
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from _rights import PeakRss, arguments, bench_app

CHUNK = 10_000  # people per transaction
STEP = 100_000  # the first measurement


def load(first: int, last: int) -> None:
    """People ``first``..``last`` (ids), their choices as ledger events over the past year,
    and one erased hash per hundred people."""
    import hashlib

    from preference_centre import clock, crypto
    from preference_centre.console import aggregate
    from preference_centre.extensions import db
    from preference_centre.models import ConsentEvent, Person, Suppression

    now = clock.utcnow()
    people, events = Person.__table__, ConsentEvent.__table__
    connection = db.session.connection()
    for sql in aggregate.drop_statements(connection.dialect.name):
        connection.exec_driver_sql(sql)
    for start in range(first, last + 1, CHUNK):
        ids = range(start, min(start + CHUNK, last + 1))
        db.session.execute(people.insert(), [{
            "id": n, "email_hash": crypto.email_hash(f"p{n}@example.com"),
            "email": f"p{n}@example.com", "name": f"Person {n}",
            "status": "pending" if n % 50 == 0 else "active", "origin": "import",
            "restricted_at": now if n % 200 == 1 else None, "consent_version": 0,
            "created_at": now - timedelta(days=400), "updated_at": now,
        } for n in ids])
        rows = []
        for n in ids:
            when = now - timedelta(days=n % 365, minutes=n % 1440)
            choices = [("email:offers", True)] if n % 3 == 0 else []
            choices += [("email:updates", True)] if n % 4 == 0 else []
            choices += [("sms:offers", True)] if n % 5 == 0 else []
            choices += [("ads:personalised", True)] if n % 6 == 0 else []
            choices += [("post:offers", False)] if n % 10 == 0 else []
            for purpose, value in choices:
                rows.append(_event(n, purpose, None, value, when))
            if n % 9 == 0:  # withdrew email offers some weeks later
                rows.append(_event(n, "email:offers", True, False, when + timedelta(days=20)))
        db.session.execute(events.insert(), rows)
        db.session.execute(Suppression.__table__.insert(), [
            {"kind": "email", "value_hash": hashlib.sha256(f"gone{n}".encode()).hexdigest(),
             "reason": "erased", "created_at": now} for n in ids if n % 100 == 0])
        db.session.commit()
    started = time.perf_counter()
    connection = db.session.connection()
    aggregate.install(connection)
    aggregate.backfill(connection)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")
    db.session.commit()
    print(f"counts rebuilt (console.aggregate.backfill) in {time.perf_counter() - started:.1f} s",
          flush=True)


def _event(person_id: int, purpose: str, old: bool | None, new: bool, when: object) -> dict:
    return {"person_id": person_id, "purpose": purpose, "old_value": old, "new_value": new,
            "occurred_at": when, "source": "import", "actor_type": "system",
            "notice_version": "1"}


def timed(function: object, runs: int) -> float:
    """Median wall time of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(people: int) -> float:
    from preference_centre.console.dashboard import dashboard_figures
    from preference_centre.console.exports import suppression_rows
    from preference_centre.console.lookup import look_up_person
    from preference_centre.extensions import db
    from preference_centre.staff.downloads import csv_lines

    dashboard = timed(dashboard_figures, 7)
    assert look_up_person(f"p{people}@example.com") is not None
    addresses = iter([f"p{(n * 7919) % people + 1}@example.com" for n in range(25)])
    lookup = timed(lambda: look_up_person(next(addresses)), 25)
    db.session.remove()
    with PeakRss() as peak:
        started = time.perf_counter()
        # The download's own CSV text (staff.downloads.csv_lines), as the view streams it.
        count = sum(chunk.count("\n") for chunk in csv_lines(suppression_rows("email")))
        elapsed = time.perf_counter() - started
    print(f"{people:>9,} people: dashboard {dashboard:6.1f} ms, look-up {lookup:5.1f} ms, "
          f"suppression CSV {count - 1:,} rows in {elapsed:.1f} s = "
          f"{(count - 1) / elapsed:,.0f} rows/s, peak RSS growth {peak.growth:.1f} MB",
          flush=True)
    db.session.remove()
    return dashboard


def main() -> None:
    args = arguments(__doc__.splitlines()[0], people=1_000_000)
    with bench_app(args.database_url) as (_app, url):
        print(f"engine: {url.split(':')[0]}", flush=True)
        loaded, small = 0, None
        for size in sorted({min(STEP, args.people), args.people}):
            started = time.perf_counter()
            load(loaded + 1, size)
            print(f"loaded {size - loaded:,} people in {time.perf_counter() - started:.0f} s",
                  flush=True)
            loaded = size
            dashboard = measure(size)
            small = dashboard if small is None else small
        if args.people > STEP:
            print(f"dashboard at {args.people:,} / at {STEP:,}: {dashboard / small:.2f} x")


if __name__ == "__main__":
    main()
