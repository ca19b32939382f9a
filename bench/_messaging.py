"""Shared set-up for the messaging benchmarks: a throw-away app and database, and people.

With ``--database-url`` the benchmark uses that database and DROPS EVERY TABLE in it first:
give it a scratch database only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import ROOT, bench_secrets

sys.path.insert(0, str(ROOT))


def arguments(description: str, people: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--people", type=int, default=people)
    parser.add_argument("--database-url", help="a SCRATCH database (all tables are dropped); "
                        "default: a temporary SQLite file under /tmp")
    return parser.parse_args()


@contextmanager
def bench_app(database_url: str | None, **settings: Any) -> Iterator[Any]:
    """The real app on an empty schema, inside an app context."""
    with tempfile.TemporaryDirectory(prefix="pc-bench-") as folder:
        os.environ["INSTANCE_PATH"] = str(Path(folder) / "instance")
        from preference_centre import create_app
        from preference_centre.extensions import db

        config = {
            "DATABASE_URL": database_url or f"sqlite:///{folder}/bench.db",
            **bench_secrets(),
            **settings,
        }
        app = create_app(config)
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                from sqlalchemy import text

                db.session.execute(text("DROP SCHEMA public CASCADE"))
                db.session.execute(text("CREATE SCHEMA public"))
                db.session.commit()
            db.create_all()
            yield app
            db.session.remove()
            db.engine.dispose()


def seed_people(count: int, purpose: str, chunk: int = 5000) -> None:
    """``count`` active people who consented to ``purpose``, written with Core in chunks.

    A fixture, not the product: it writes the consent state directly instead of going
    through the ledger, because the benchmark measures sending, not signing up."""
    from preference_centre import clock, crypto
    from preference_centre.extensions import db
    from preference_centre.models import ConsentState, Person

    now = clock.utcnow()
    people, states = Person.__table__, ConsentState.__table__
    for start in range(1, count + 1, chunk):
        ids = range(start, min(start + chunk, count + 1))
        db.session.execute(people.insert(), [
            {"id": n, "email_hash": crypto.email_hash(f"person{n}@example.com"),
             "email": f"person{n}@example.com", "name": f"Person {n}", "status": "active",
             "origin": "import", "consent_version": 1, "created_at": now, "updated_at": now}
            for n in ids
        ])
        db.session.execute(states.insert(), [
            {"person_id": n, "purpose": purpose, "allowed": True, "updated_at": now}
            for n in ids
        ])
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval('people_id_seq', :n)"), {"n": count})
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
