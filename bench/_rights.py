"""Shared set-up for the data-rights benchmarks: a throw-away app and schema.

With ``--database-url`` the benchmark DROPS EVERY TABLE in that database first: give it a
scratch database only.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _messaging import arguments
from _messaging import bench_app as _messaging_app
from cryptography.fernet import Fernet

__all__ = ["PeakRss", "app_settings", "arguments", "bench_app", "rss_mb"]


def app_settings(database_url: str | None = None) -> dict[str, Any]:
    """Fixed settings, so that a second process (bench/retention.py's concurrent writer)
    builds an app with the same keys on the same database."""
    settings: dict[str, Any] = {
        "SECRET_KEY": "bench-secret-" + "x" * 40,
        "EMAIL_INDEX_KEY": "bench-index-" + "y" * 40,
        "DATA_ENCRYPTION_KEYS": [os.environ.setdefault("BENCH_FERNET_KEY",
                                                       Fernet.generate_key().decode())],
        "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
    }
    if database_url:
        settings["DATABASE_URL"] = database_url
    return settings


@contextmanager
def bench_app(database_url: str | None) -> Iterator[tuple[Any, str]]:
    """(app inside its app context, database URL) on a fresh, empty schema: the messaging
    benchmarks' throw-away app, with the settings above."""
    with _messaging_app(database_url, **app_settings(database_url)) as app:
        yield app, app.config["DATABASE_URL"]


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
