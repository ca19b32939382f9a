"""The preference page (``/p/<token>``, no login) under ``gunicorn -w 2``: wrk GETs random
people's links for 10 s at 16 connections; compared with a Flask hello-world under the same
server config. The unsubscribe page (``/u/<token>`` GET) is measured the same way.

    .venv/bin/python bench/pages.py [--database-url postgresql+psycopg://...]

Target: the preference page >= 0.2 of hello-world req/s: it is a page a person reads,
rendered in full from its template each time, not a hot path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as bench  # noqa: E402

TARGET = 0.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with bench.workspace() as folder:
        env = bench.bench_environment(folder, args.database_url)
        preference_paths, unsubscribe_paths = folder / "p.txt", folder / "u.txt"
        with bench.app_context(env) as app:
            bench.fill_database(args.people, preference_paths, args.database_url,
                                bench.preference_path)
            with app.test_request_context():
                unsubscribe_paths.write_text("".join(
                    bench.unsubscribe_path(i) + "\n" for i in range(1, args.people + 1)))
        scripts = {}
        for name, paths in (("/p/<token>", preference_paths), ("/u/<token>", unsubscribe_paths)):
            (folder / name[1]).mkdir()
            scripts[name] = bench.random_path_script(folder / name[1], paths)
        with bench.gunicorn("app:app", env) as base, bench.hello_world(folder) as hello_url:
            targets = {name: (base, script) for name, script in scripts.items()}
            results = bench.interleaved({**targets, "hello": (hello_url, None)},
                                        seconds=args.seconds)
    hello = results.pop("hello")
    print(f"engine           {'postgresql' if args.database_url else 'sqlite'}, "
          f"gunicorn -w 2 (sync), wrk -c16, GET, {args.seconds} s each, interleaved in 5 slices")
    for name, result in results.items():
        ratio = result.requests_per_second / hello.requests_per_second
        print(f"{name:16} {result.line()}  ratio {ratio:.2f}")
    print(f"hello world      {hello.line()}")
    ratio = results["/p/<token>"].requests_per_second / hello.requests_per_second
    print(f"preference page  {ratio:.2f} of hello-world (target >= {TARGET}): "
          f"{bench.verdict(ratio >= TARGET)}")


if __name__ == "__main__":
    main()
