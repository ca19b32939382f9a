"""Shared set-up for the data-rights benchmarks: a throw-away app and schema.

With ``--database-url`` the benchmark DROPS EVERY TABLE in that database first: give it a
scratch database only.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def app_settings(database_url: str, folder: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-" + "x" * 40,
        "EMAIL_INDEX_KEY": "bench-index-" + "y" * 40,
        "DATA_ENCRYPTION_KEYS": [os.environ.setdefault("BENCH_FERNET_KEY",
                                                       Fernet.generate_key().decode())],
        "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
    }


@contextmanager
def bench_app(database_url: str | None) -> Iterator[tuple[Any, str]]:
    """(app inside its app context, database URL) on a fresh, empty schema."""
    with tempfile.TemporaryDirectory(prefix="pc-rights-bench-") as folder:
        os.environ["INSTANCE_PATH"] = str(Path(folder) / "instance")
        from preference_centre import create_app
        from preference_centre.extensions import db

        url = database_url or f"sqlite:///{folder}/bench.db"
        app = create_app(app_settings(url, folder))
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                from sqlalchemy import text

                db.session.execute(text("DROP SCHEMA public CASCADE"))
                db.session.execute(text("CREATE SCHEMA public"))
                db.session.commit()
            db.create_all()
            yield app, url
            db.session.remove()
            db.engine.dispose()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples this process's resident memory every few milliseconds while in use."""

    def __init__(self) -> None:
        self.baseline = rss_mb()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.002)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.baseline
