"""Deliver 10,000 queued campaign messages to a local aiosmtpd: the worker's messages/s,
against raw ``smtplib`` sending the same messages over one connection.

Target: the worker reaches >= 0.7 of raw smtplib. The worker does everything it does in
production (claim, consent re-check through ``may_contact_many`` per window, personalise,
footer and signed links, headers, record the outcomes); raw smtplib only sends prepared
bytes. The SMTP server runs in its own process (aiosmtpd's Sink handler), so it does not
share the GIL.

    .venv/bin/python bench/outbox.py [--people N] [--database-url URL]
"""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time

from _common import free_port
from _messaging import arguments, bench_app, seed_people

BATCH = 500


def start_sink(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as probe:
                probe.noop()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the SMTP sink did not start")


def prepared_messages(after_id: int) -> tuple[list[tuple[str, bytes]], int]:
    """The messages the worker just sent (rows after ``after_id``), rebuilt as the same bytes
    (untimed) for the raw run; and the last row id."""
    from preference_centre.extensions import db
    from preference_centre.messaging.batch import read_contacts
    from preference_centre.messaging.campaigns import CampaignRenderer
    from preference_centre.messaging.compose import email_bytes
    from preference_centre.models import Campaign, OutboxMessage

    table = OutboxMessage.__table__
    rows = db.session.execute(db.select(table).where(
        table.c.id > after_id, table.c.status == "sent").order_by(table.c.id)).all()
    campaign = db.session.execute(db.select(Campaign)).scalar_one()
    renderer = CampaignRenderer(campaign.subject, campaign.body_text)
    contacts = read_contacts({row.person_id for row in rows})
    prepared = []
    for row in rows:
        contact = contacts[row.person_id]
        prepared.append((contact.email, email_bytes(row, contact.email, renderer.render(contact))))
    return prepared, (rows[-1].id if rows else after_id)


def main() -> None:
    args = arguments(__doc__.splitlines()[0], people=10_000)
    port = free_port()
    sink = start_sink(port)
    try:
        with bench_app(args.database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port) as app:
            from preference_centre.extensions import db
            from preference_centre.messaging import deliver_due, queue_campaign

            seed_people(args.people, "email:offers")
            queue_campaign("offers", "email", "Offers for {{ first_name }}",
                           "Hello {{ name }},\n\nThis week only: two for one.\n")
            db.session.commit()
            print(f"queued {args.people:,} messages ({db.engine.dialect.name}); "
                  f"worker batches of {BATCH}")

            # Worker batches and raw sends alternate, so both see the same machine load.
            sent, worker_seconds, raw_seconds, last_id = 0, 0.0, 0.0, 0
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as raw_connection:
                while True:
                    started = time.perf_counter()
                    counts = deliver_due(batch=BATCH)
                    worker_seconds += time.perf_counter() - started
                    if not any(counts.values()):
                        break
                    sent += counts["sent"]
                    messages, last_id = prepared_messages(last_id)
                    started = time.perf_counter()
                    for recipient, raw in messages:
                        raw_connection.sendmail("no-reply@localhost", [recipient], raw)
                    raw_seconds += time.perf_counter() - started
            worker, raw = sent / worker_seconds, sent / raw_seconds
            assert app
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    ratio = worker / raw
    print(f"worker:      {sent:,} sent, {worker:,.0f} messages/s")
    print(f"raw smtplib: {raw:,.0f} messages/s over one connection (same messages)")
    print(f"ratio {ratio:.2f} (target >= 0.7: {'met' if ratio >= 0.7 else 'NOT met'})")


if __name__ == "__main__":
    main()
