"""One-click unsubscribe throughput: wrk POSTs ``List-Unsubscribe=One-Click`` to random valid
links of 100,000 people for 10 s at 16 connections against ``gunicorn -w 2``, and compares
the rate with a Flask hello-world under the same server config.

    .venv/bin/python bench/unsubscribe.py                      # SQLite in a temp folder
    .venv/bin/python bench/unsubscribe.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_unsub

Targets: >= 0.28 of hello-world with p99 <= 25 ms on SQLite; >= 0.15 on PostgreSQL.
The PostgreSQL database is emptied first (DROP SCHEMA public): use a throw-away one.
Every person starts with email offers consented, so most requests write an event.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as bench  # noqa: E402


def count_one_click_events() -> int:
    from preference_centre.extensions import db
    from preference_centre.models import ConsentEvent

    return db.session.scalar(db.select(db.func.count()).select_from(ConsentEvent)
                             .where(ConsentEvent.source == "one_click"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    engine = "postgresql" if args.database_url else "sqlite"
    with bench.workspace() as folder:
        env = bench.bench_environment(folder, args.database_url)
        tokens_file = folder / "paths.txt"
        with bench.app_context(env):
            bench.fill_database(args.people, tokens_file, args.database_url,
                                bench.unsubscribe_path)
        script = bench.random_path_script(folder, tokens_file, method="POST",
                                    body="List-Unsubscribe=One-Click",
                                    content_type="application/x-www-form-urlencoded")
        with bench.gunicorn("app:app", env) as base, bench.hello_world(folder) as hello_url:
            # /healthz (one SELECT 1) shows what every request of this app costs anyway.
            found = bench.interleaved({"app": (base, script), "healthz": (base + "/healthz", None),
                                 "hello": (hello_url, None)},
                                seconds=args.seconds, connections=args.connections)
        result, healthz, hello = found["app"], found["healthz"], found["hello"]
        with bench.app_context(env):
            events = count_one_click_events()
    ratio = result.requests_per_second / hello.requests_per_second
    target = 0.28 if engine == "sqlite" else 0.15
    ok = ratio >= target and (engine != "sqlite" or result.p99_ms <= 25)
    print(f"engine           {engine}, gunicorn -w 2 (sync), wrk -c{args.connections}, "
          f"{args.seconds} s each, interleaved with hello-world in 5 slices")
    print(f"one-click POST   {result.line()}")
    print(f"GET /healthz     {healthz.line()}  ratio "
          f"{healthz.requests_per_second / hello.requests_per_second:.2f} (the app's floor)")
    print(f"hello world      {hello.line()}")
    print(f"ratio            {ratio:.2f} of hello-world (target >= {target}"
          f"{', p99 <= 25 ms' if engine == 'sqlite' else ''}): {bench.verdict(ok)}")
    print(f"ledger           {events:,} one-click events written (warm-up included)")


if __name__ == "__main__":
    main()
