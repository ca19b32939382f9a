"""Profile one worker's hot paths in-process (no server): ``/p/<token>`` GET, ``/healthz`` and
the one-click POST, each called through the WSGI app many times; prints microseconds per
request and, with ``--profile NAME``, the top of cProfile's cumulative listing for that path.

    .venv/bin/python bench/profile_pages.py [--requests 2000] [--profile p|healthz|u]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=["p", "healthz", "u"])
    parser.add_argument("--callees", help="also list what functions matching this call")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    args = parser.parse_args()
    with bench.workspace() as folder:
        env = bench.bench_environment(folder, None)
        with bench.app_context(env) as app:
            bench.fill_database(200, folder / "p.txt", None, bench.preference_path)
            with app.test_request_context():
                unsubscribe = [bench.unsubscribe_path(i) for i in range(1, 201)]
        preference = (folder / "p.txt").read_text().split()
        client = app.test_client(use_cookies=False)  # as wrk: no cookie comes back
        calls = {
            "p": lambda n: client.get(preference[n % len(preference)]),
            "healthz": lambda n: client.get("/healthz"),
            "u": lambda n: client.post(unsubscribe[n % len(unsubscribe)],
                                       data={"List-Unsubscribe": "One-Click"}),
        }
        for name, call in calls.items():
            assert call(0).status_code == 200, name
            for n in range(50):
                call(n)
            started = time.perf_counter()
            for n in range(args.requests):
                call(n)
            per = (time.perf_counter() - started) / args.requests * 1e6
            print(f"{name:8} {per:8.0f} us/request (test client)")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for n in range(args.requests):
                calls[args.profile](n)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(45)
            if args.callees:
                stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
