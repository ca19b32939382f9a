"""Render time of the preference page (``GET /account/preferences``) in-process.

A throw-away SQLite app, one signed-in person with a history of 60 choices; prints the
median and 95th percentile render time and requests per second of one process.
Run: ``.venv/bin/python bench/preferences_page.py [--requests N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    from preference_centre import create_app
    from preference_centre.auth.sessions import start_session
    from preference_centre.consent import Actor, record_changes
    from preference_centre.extensions import db
    from preference_centre.people import new_person

    with tempfile.TemporaryDirectory() as folder:
        os.environ["INSTANCE_PATH"] = folder
        app = create_app({
            "TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "b" * 40, "EMAIL_INDEX_KEY": "i" * 40,
            "DATA_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        })
        with app.app_context():
            db.create_all()
            person = new_person("bench@example.com", origin="register", status="active")
            for n in range(60):
                record_changes(person.id, {"email:offers": n % 2 == 0, "sms:policy": n % 3 == 0},
                               Actor(source="form", actor_id=str(person.id)))
            key = start_session(person, remember=False, ip="127.0.0.1", user_agent="bench")
            db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = key
        assert client.get("/account/preferences").status_code == 200
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get("/account/preferences")
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        timings.sort()
        median = statistics.median(timings) * 1000
        p95 = timings[int(len(timings) * 0.95) - 1] * 1000
        print(f"GET /account/preferences, {args.requests} requests, one process (SQLite)")
        print(f"median {median:.2f} ms, p95 {p95:.2f} ms, {1000 / median:.0f} requests/s")


if __name__ == "__main__":
    main()
