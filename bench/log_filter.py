"""The log filter's cost per line: ordinary access-log lines, and 100,000-character lines
made to slow a pattern down (runs of ``/``, ``%2F``, both mixed, prefixes and addresses).

The filter runs in the server worker after every response, so what a client can put in a
request line or header must not buy it the worker's time.

    .venv/bin/python bench/log_filter.py

Target: <= 20 µs per ordinary line; <= 20 ms for each 100,000-character line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preference_centre import create_app, token_redaction  # noqa: E402

LONG = 100_000
NORMAL_TARGET_US = 20.0
LONG_TARGET_MS = 20.0
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
SIGNED = "NDI.ZW1haWw.b2ZmZXJz.bTE.Zk3xQw.8c4vYy1bXlC0d9Wq2Jm6hT0rPz4"
NORMAL = [
    f'127.0.0.1 - - [01/Dec/2026:10:00:00 +0000] "{request}" 200 1234 "-" "{AGENT}"'
    for request in (
        "GET /healthz HTTP/1.1",
        "GET /static/css/site.css HTTP/1.1",
        f"GET /p/{SIGNED} HTTP/1.1",
        f"POST /u/{SIGNED} HTTP/1.1",
        "GET /p/new-link HTTP/1.1",
        "GET /api/v1/contact-check?email=ada%40example.com&channel=email&topic=offers HTTP/1.1",
        f"GET /cookies?next=%2Fp%2F{SIGNED} HTTP/1.1",
        "POST /account/preferences HTTP/1.1",
    )
]
PATHOLOGICAL = {
    "/ run": "/" * LONG,
    "%2F run": "%2F" * (LONG // 3),
    "mixed / %2F %2f run": "/%2F%2f//" * (LONG // 9),
    "/p run": "/p" * (LONG // 2),
    "/account/email/ run": "/account/email/" * (LONG // 15),
    "a@ run": "a@" * (LONG // 2),
    "a%40 run": "a%40" * (LONG // 4),
}


def best_seconds(function: Callable[[], object], rounds: int, repeats: int = 7) -> float:
    """Seconds per call of ``function``, best of ``repeats`` runs of ``rounds`` calls."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(rounds):
            function()
        best = min(best, (time.perf_counter() - started) / rounds)
    return best


def main() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 48, "EMAIL_INDEX_KEY": "i" * 40,
                      "DATA_ENCRYPTION_KEYS": ["x" * 43 + "="], "DATABASE_URL": "sqlite://"})
    redactor = token_redaction.install(app)
    print(f"{'ordinary line':60}{'µs per line':>14}")
    normal_worst = 0.0
    for line in NORMAL:
        micros = best_seconds(lambda line=line: redactor.redact(line), rounds=5_000) * 1e6
        normal_worst = max(normal_worst, micros)
        print(f"{line.split(chr(34))[1][:58]:60}{micros:14.1f}")
    print(f"\n{'100,000-character line':60}{'ms per line':>14}")
    long_worst = 0.0
    for name, line in PATHOLOGICAL.items():
        millis = best_seconds(lambda line=line: redactor.redact(line), rounds=5) * 1e3
        long_worst = max(long_worst, millis)
        print(f"{name:60}{millis:14.2f}")
    ok = normal_worst <= NORMAL_TARGET_US and long_worst <= LONG_TARGET_MS
    print(f"\ntarget <= {NORMAL_TARGET_US:.0f} µs per ordinary line, <= {LONG_TARGET_MS:.0f} ms "
          f"per long line: {'meets target' if ok else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
