"""Queue a campaign to 100,000 consenting people: messages queued per second and peak RSS.

Target: >= 10,000 messages/s, peak RSS < 300 MB. The people are written by a separate
process first, so the peak RSS printed is the campaign's own (plus the app).

    .venv/bin/python bench/campaign.py [--people N] [--database-url URL]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _messaging import arguments, bench_app, peak_rss_mb, seed_people


def main() -> None:
    args = arguments(__doc__.splitlines()[0], people=100_000)
    with bench_app(args.database_url) as app:
        from preference_centre.extensions import db
        from preference_centre.messaging import queue_campaign

        started = time.perf_counter()
        seed_people(args.people, "email:offers")
        print(f"seeded {args.people:,} people in {time.perf_counter() - started:.1f} s "
              f"({db.engine.dialect.name})")
        db.session.remove()
        db.engine.dispose()
        # Measure in a fresh process, so seeding does not count towards the peak RSS.
        url = str(app.config["SQLALCHEMY_DATABASE_URI"])
        # Keys go through the environment (never the command line, which others can read).
        env = {**os.environ, "DATABASE_URL": url,
               "SECRET_KEY": app.config["SECRET_KEY"],
               "EMAIL_INDEX_KEY": app.config["EMAIL_INDEX_KEY"],
               "DATA_ENCRYPTION_KEYS": ",".join(app.config["DATA_ENCRYPTION_KEYS"])}
        subprocess.run([sys.executable, __file__, "--measure"], check=True, env=env)
        assert queue_campaign  # imported above only to fail early when the package is broken


def measure() -> None:
    from preference_centre import create_app
    from preference_centre.extensions import db
    from preference_centre.messaging import queue_campaign

    app = create_app()
    with app.app_context():
        db.session.execute(db.select(1))
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        campaign = queue_campaign("offers", "email", "Offers for {{ first_name }}",
                                  "Hello {{ name }},\n\nThis week only: two for one.\n")
        db.session.commit()
        elapsed = time.perf_counter() - started
        queued = campaign.queued_count
    rate = queued / elapsed
    peak = peak_rss_mb()
    print(f"queued {queued:,} messages in {elapsed:.2f} s: {rate:,.0f} messages/s "
          f"(target >= 10,000: {'met' if rate >= 10_000 else 'NOT met'})")
    print(f"peak RSS {peak:.0f} MB (app loaded: {rss_before:.0f} MB; "
          f"target < 300 MB: {'met' if peak < 300 else 'NOT met'})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        measure()
    else:
        main()
