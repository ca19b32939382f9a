"""One-click unsubscribe throughput: wrk POSTs ``List-Unsubscribe=One-Click`` to random valid
links of 100,000 people for 10 s at 16 connections against ``gunicorn -w 2``, and compares
the rate with a Flask hello-world under the same server config.

    .venv/bin/python bench/unsubscribe.py                      # SQLite in a temp folder
    .venv/bin/python bench/unsubscribe.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_unsub

Targets: >= 0.28 of hello-world with p99 <= 25 ms on SQLite; >= 0.15 on PostgreSQL.
The PostgreSQL database is emptied first (DROP SCHEMA public): use a throw-away one.
Every person starts with email offers consented, so most requests write an event.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    app_context,
    bench_environment,
    gunicorn,
    hello_world_rate,
    random_path_script,
    run_wrk,
    verdict,
    workspace,
)

CHUNK = 10_000


def fill_database(people: int, tokens_file: Path, database_url: str | None) -> None:
    """People (Core inserts, encrypted address), their consent and one link each."""
    from sqlalchemy import insert, text

    from preference_centre import clock, crypto, tokens
    from preference_centre.extensions import db
    from preference_centre.models import ConsentState, NoticeVersion, Person

    if database_url and database_url.startswith("postgresql"):
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    db.create_all()
    now = clock.utcnow()
    db.session.execute(insert(NoticeVersion.__table__).values(
        version="1", published_at=now, material=False, summary="bench", body=""))
    started = time.perf_counter()
    with tokens_file.open("w") as out:
        for first in range(1, people + 1, CHUNK):
            ids = range(first, min(first + CHUNK, people + 1))
            # Core with the model's column types: EncryptedText still encrypts each address.
            db.session.execute(insert(Person.__table__), [{
                "id": i, "email": f"person{i}@example.com",
                "email_hash": crypto.email_hash(f"person{i}@example.com"), "status": "active",
                "origin": "import", "created_at": now, "updated_at": now, "consent_version": 0,
                "email_verified_at": now,
            } for i in ids])
            db.session.execute(insert(ConsentState.__table__), [{
                "person_id": i, "purpose": "email:offers", "allowed": True, "updated_at": now,
            } for i in ids])
            for i in ids:
                token = tokens.make_unsubscribe_token(i, "email", "offers", f"b{i}")
                out.write(f"/u/{token}\n")
    if database_url and database_url.startswith("postgresql"):
        # Reset the sequence after explicit ids.
        db.session.execute(text("SELECT setval('people_id_seq', (SELECT max(id) FROM people))"))
    db.session.commit()
    print(f"filled {people:,} people in {time.perf_counter() - started:.1f} s")


def count_one_click_events() -> int:
    from preference_centre.extensions import db
    from preference_centre.models import ConsentEvent

    return db.session.scalar(db.select(db.func.count()).select_from(ConsentEvent)
                             .where(ConsentEvent.source == "one_click"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    with workspace() as folder:
        env = bench_environment(folder, args.database_url)
        tokens_file = folder / "paths.txt"
        with app_context(env):
            fill_database(args.people, tokens_file, args.database_url)
        script = random_path_script(folder, tokens_file, method="POST",
                                    body="List-Unsubscribe=One-Click",
                                    content_type="application/x-www-form-urlencoded")
        with gunicorn("app:app", env) as base:
            run_wrk(base, seconds=2, connections=args.connections, script=script)  # warm-up
            result = run_wrk(base, seconds=args.seconds, connections=args.connections,
                             script=script)
        hello = hello_world_rate(folder, seconds=args.seconds)
        with app_context(env):
            events = count_one_click_events()
    ratio = result.requests_per_second / hello.requests_per_second
    target = 0.28 if engine == "sqlite" else 0.15
    ok = ratio >= target and (engine != "sqlite" or result.p99_ms <= 25)
    print(f"engine           {engine}, gunicorn -w 2 (sync), wrk -c{args.connections} "
          f"{args.seconds} s")
    print(f"one-click POST   {result.line()}")
    print(f"hello world      {hello.line()}")
    print(f"ratio            {ratio:.2f} of hello-world (target >= {target}"
          f"{', p99 <= 25 ms' if engine == 'sqlite' else ''}): {verdict(ok)}")
    print(f"ledger           {events:,} one-click events written (warm-up included)")


if __name__ == "__main__":
    main()
