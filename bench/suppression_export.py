"""Suppression export benchmark: N active people (a third consenting to email offers, a third
withdrawn, a third never asked) and N/10 erased hashes; streams the email list as CSV.

Prints rows/s and the growth of peak resident memory (the list is fetched a page at a time,
so memory should stay flat however long the list is).

    .venv/bin/python bench/suppression_export.py [--people N] [--database-url URL]
"""

from __future__ import annotations

import io
import time

from _rights import PeakRss, arguments, bench_app

CHUNK = 1_000  # people per transaction, as the product writes (see bench/_common.py)


def seed(people: int) -> None:
    import hashlib

    from preference_centre import clock, crypto
    from preference_centre.extensions import db
    from preference_centre.models import ConsentState, Person, Suppression

    now = clock.utcnow()
    for first in range(0, people, CHUNK):
        numbers = range(first, min(first + CHUNK, people))
        db.session.execute(Person.__table__.insert(), [{
            "id": n + 1, "email": f"p{n}@example.com",
            "email_hash": crypto.email_hash(f"p{n}@example.com"), "status": "active",
            "origin": "import", "created_at": now, "updated_at": now, "consent_version": 0,
        } for n in numbers])
        db.session.execute(ConsentState.__table__.insert(), [
            {"person_id": n + 1, "purpose": "email:offers", "allowed": n % 3 == 0,
             "updated_at": now} for n in numbers if n % 3 != 2])
        db.session.commit()
    db.session.execute(Suppression.__table__.insert(), [
        {"kind": "email", "value_hash": hashlib.sha256(str(n).encode()).hexdigest(),
         "reason": "erased", "created_at": now} for n in range(people // 10)])
    db.session.commit()


def main() -> None:
    args = arguments(__doc__.splitlines()[0], people=100_000)
    with bench_app(args.database_url) as (_app, url):
        from preference_centre.suppression.csv_writer import write_csv
        from preference_centre.suppression.queries import iter_entries

        started = time.perf_counter()
        seed(args.people)
        print(f"seeded {args.people} people in {time.perf_counter() - started:.1f} s "
              f"({url.split(':')[0]})")
        with PeakRss() as peak:
            started = time.perf_counter()
            count = write_csv(iter_entries("email"), _Discard())
            elapsed = time.perf_counter() - started
        print(f"exported {count} rows in {elapsed:.2f} s: {count / elapsed:,.0f} rows/s; "
              f"peak RSS growth {peak.growth:.1f} MB")


class _Discard(io.TextIOBase):
    """A file that forgets what is written (so memory measures the export, not the copy)."""

    def write(self, text: str) -> int:
        return len(text)


if __name__ == "__main__":
    main()
