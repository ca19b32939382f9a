"""Export benchmark: one person with 10,000 orders and 10,000 communications.

Prints the time to stream the JSON and the zip export and the growth of peak resident
memory while doing it. Target: < 2 s and < 50 MB each.

    .venv/bin/python bench/export.py [--orders N] [--communications N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import timedelta

from _rights import PeakRss, bench_app


def seed(orders: int, communications: int) -> int:
    from preference_centre import clock
    from preference_centre.extensions import db
    from preference_centre.models import Communication, Order
    from preference_centre.people import new_person

    person = new_person("bench.export@example.com", origin="import", status="active",
                        name="Bench Person", phone="07700 900999")
    now = clock.utcnow()
    db.session.execute(Order.__table__.insert(), [
        {"person_id": person.id, "reference": f"B-{n}", "product": "Fibre broadband 500",
         "amount_pence": 3499, "currency": "GBP", "status": "delivered",
         "ordered_at": now - timedelta(minutes=n), "updated_at": now,
         "delivery_address": "12 Bridge Street, Manchester M3 3BW"} for n in range(orders)])
    db.session.execute(Communication.__table__.insert(), [
        {"person_id": person.id, "channel": "email", "direction": "inbound",
         "summary": f"Asked about the delivery of order B-{n}",
         "occurred_at": now - timedelta(minutes=n)} for n in range(communications)])
    db.session.commit()
    return person.id


def measure(app, person_id: int, fmt: str) -> tuple[float, float, int]:
    from preference_centre.data_rights import export
    from preference_centre.extensions import db

    gc.collect()
    with app.test_request_context(), PeakRss() as memory:
        started = time.perf_counter()
        pieces = export.iter_zip(person_id) if fmt == "zip" else export.iter_json(person_id)
        size = sum(len(piece) for piece in pieces)
        elapsed = time.perf_counter() - started
        db.session.rollback()
    return elapsed, memory.growth, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--communications", type=int, default=10_000)
    parser.add_argument("--database-url", help="a SCRATCH database (tables are dropped)")
    args = parser.parse_args()
    with bench_app(args.database_url) as (app, url):
        person_id = seed(args.orders, args.communications)
        print(f"engine: {url.split(':', 1)[0]}; {args.orders:,} orders, "
              f"{args.communications:,} communications")
        for fmt in ("json", "zip"):
            elapsed, growth, size = measure(app, person_id, fmt)
            verdict = "ok" if elapsed < 2 and growth < 50 else "OVER TARGET"
            print(f"{fmt:>4}: {elapsed:6.2f} s  peak RSS growth {growth:6.1f} MB  "
                  f"output {size / 1e6:6.1f} MB  [{verdict}]")


if __name__ == "__main__":
    main()
