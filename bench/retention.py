"""Retention benchmark: N people (default 1,000,000), 30 % past retention, each of those
with an order, a consent event, a consent state and a sign-in. Runs the real retention
service while another process keeps doing one-click-unsubscribe-like writes (lock a person
row, insert a consent event, commit) on people who are not being erased.

Prints people erased per second and the p50/p99/max latency of those writes during the run.
Targets: >= 5,000 erased/s on SQLite; write p99 < 100 ms.

    .venv/bin/python bench/retention.py [--people N] [--batch B] [--pause S]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _rights import app_settings, bench_app

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CHUNK = 20_000


def _past(n: int) -> bool:
    return n % 10 < 3


def _moment(value: datetime, sqlite: bool) -> Any:
    return value.replace(tzinfo=None) if sqlite else value


def seed(people: int) -> None:
    """Core inserts without the ORM types (no per-row encryption): a fixture, not the app."""
    from sqlalchemy import column, table

    from preference_centre import crypto
    from preference_centre.extensions import db

    sqlite = db.engine.dialect.name == "sqlite"
    email = crypto.encrypt("bench.person@example.com")
    old = _moment(NOW - timedelta(days=40 * 31), sqlite)
    recent = _moment(NOW - timedelta(days=1), sqlite)

    def tbl(name: str, *names: str) -> Any:
        return table(name, *[column(n) for n in names])

    people_t = tbl("people", "id", "email_hash", "email", "status", "origin", "consent_version",
                   "created_at", "updated_at", "last_seen_at", "last_purchase_at")
    orders_t = tbl("orders", "person_id", "reference", "product", "amount_pence", "currency",
                   "status", "ordered_at", "updated_at")
    events_t = tbl("consent_events", "person_id", "purpose", "new_value", "occurred_at",
                   "source", "actor_type")
    sessions_t = tbl("login_sessions", "person_id", "key_hash", "created_at",
                     "authenticated_at", "remember")
    for start in range(1, people + 1, CHUNK):
        ids = range(start, min(start + CHUNK, people + 1))
        past = [n for n in ids if _past(n)]
        db.session.execute(people_t.insert(), [
            {"id": n, "email_hash": f"{n:064x}", "email": email, "status": "active",
             "origin": "import", "consent_version": 0, "created_at": old, "updated_at": old,
             "last_seen_at": old if _past(n) else recent,
             "last_purchase_at": old if _past(n) else None} for n in ids])
        db.session.execute(orders_t.insert(), [
            {"person_id": n, "reference": f"R{n}", "product": "Broadband", "amount_pence": 100,
             "currency": "GBP", "status": "delivered", "ordered_at": old, "updated_at": old}
            for n in past])
        # consent_state follows from each ledger row (the database's trigger).
        db.session.execute(events_t.insert(), [
            {"person_id": n, "purpose": "email:offers", "new_value": True, "occurred_at": old,
             "source": "form", "actor_type": "person"} for n in past])
        db.session.execute(sessions_t.insert(), [
            {"person_id": n, "key_hash": f"{n:064x}", "created_at": old,
             "authenticated_at": old, "remember": False} for n in past])
        db.session.commit()
    if not sqlite:
        from sqlalchemy import text

        db.session.execute(text("SELECT setval('people_id_seq', :n)"), {"n": people})
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def unsubscribe_loop(url: str, people: int, stop: Any, results: Any, ready: Any,
                     failures: Any) -> None:
    """In its own process: a steady stream of small consent writes on people who stay."""
    import os
    import tempfile

    from preference_centre import create_app
    from preference_centre.database.person_lock import lock_person
    from preference_centre.extensions import db
    from preference_centre.models import ConsentEvent

    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="pc-rights-loop-")
    app = create_app(app_settings(url))
    samples = []
    with app.app_context():
        while not stop.is_set():
            person_id = random.randrange(1, people + 1)
            if _past(person_id):
                continue
            started = time.perf_counter()
            try:
                lock_person(person_id)
                db.session.add(ConsentEvent(person_id=person_id, purpose="email:offers",
                                            old_value=None, new_value=False, occurred_at=NOW,
                                            source="one_click", actor_type="person"))
                db.session.commit()
            except Exception:  # a timed-out write counts, with its (long) latency
                db.session.rollback()
                failures.value += 1
            samples.append((time.time(), time.perf_counter() - started))
            if len(samples) == 20:
                ready.set()
            time.sleep(0.005)
    results.put(samples)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=None, help="default RETENTION_BATCH_SIZE")
    parser.add_argument("--pause", type=float, default=None,
                        help="seconds between batches (default: the service's own)")
    parser.add_argument("--database-url", help="a SCRATCH database (tables are dropped)")
    args = parser.parse_args()
    from preference_centre import clock
    from preference_centre.extensions import db
    from preference_centre.retention.run import run_retention

    with bench_app(args.database_url) as (app, url):
        started = time.perf_counter()
        seed(args.people)
        print(f"engine: {db.engine.dialect.name}; seeded {args.people:,} people "
              f"in {time.perf_counter() - started:.0f} s")
        clock.set_source(lambda: NOW)
        db.session.remove()
        spawn = multiprocessing.get_context("spawn")
        stop, ready, results = spawn.Event(), spawn.Event(), spawn.Queue()
        failures = spawn.Value("i", 0)
        loop = spawn.Process(target=unsubscribe_loop,
                             args=(url, args.people, stop, results, ready, failures))
        loop.start()
        ready.wait(120)
        window_start = time.time()
        started = time.perf_counter()
        batches: list[float] = []
        summary = run_retention(NOW, batch_size=args.batch, pause=args.pause,
                                          after_batch=lambda done: batches.append(
                                              time.perf_counter()))
        elapsed = time.perf_counter() - started
        window_end = time.time()
        stop.set()
        samples = results.get(timeout=120)
        loop.join()
        during = [lat * 1000 for at, lat in samples if window_start <= at <= window_end]
        rate = summary.erased / elapsed if elapsed else 0.0
        print(f"erased {summary.erased:,} in {elapsed:.1f} s: {rate:,.0f} people/s "
              f"(batch {args.batch or app.config['RETENTION_BATCH_SIZE']}, "
              f"pause {'default' if args.pause is None else args.pause})")
        if len(batches) > 1:
            loop_rate = summary.erased * (len(batches) - 1) / len(batches) / (
                batches[-1] - batches[0])
            print(f"  of which the erasure batches alone: {loop_rate:,.0f} people/s over "
                  f"{len(batches)} batches (the rest: purges, reminders, final count)")
        print(f"concurrent one-click writes during the run: {len(during):,}; "
              f"p50 {percentile(during, 0.5):.1f} ms, p99 {percentile(during, 0.99):.1f} ms, "
              f"max {max(during, default=0):.1f} ms; failed {failures.value}")
        print(f"targets: >= 5,000/s -> {'ok' if rate >= 5000 else 'MISSED'}; p99 < 100 ms -> "
              f"{'ok' if percentile(during, 0.99) < 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
