"""Shared pieces of the HTTP benchmarks: a throw-away instance, gunicorn on loopback, a
hello-world app under the same server config, and wrk with a Lua script.

Run benchmarks from the project root with the project's venv, e.g.
``.venv/bin/python bench/unsubscribe.py``.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
WRK = "/usr/bin/wrk"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # sync, as on the reference 2-core machine

HELLO_APP = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_secrets() -> dict[str, str]:
    """Fresh keys for a throw-away instance (every benchmark makes its own)."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "EMAIL_INDEX_KEY": secrets.token_urlsafe(48),
        "DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }


def bench_environment(workdir: Path, database_url: str | None) -> dict[str, str]:
    """Settings for a throw-away instance: its own folder, database and keys."""
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
        **bench_secrets(),
        "BASE_URL": "http://127.0.0.1:5000",
    }


def unsubscribe_path(person_id: int) -> str:
    """A person's one-click address (``/u/<token>``), as in every marketing email."""
    from preference_centre import tokens

    return "/u/" + tokens.make_unsubscribe_token(person_id, "email", "offers", f"b{person_id}")


def preference_path(person_id: int) -> str:
    """A person's preference page address (``/p/<token>``)."""
    from preference_centre.links import preference_link

    return "/p/" + preference_link(person_id).rsplit("/p/", 1)[1]


@contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pc-bench-") as folder:
        yield Path(folder)


@contextmanager
def app_context(env: dict[str, str]) -> Iterator[Any]:
    """The real app in this process, configured like the servers (for filling the database)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from preference_centre import create_app

    app = create_app()
    with app.app_context():
        yield app


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], chdir: Path = ROOT) -> Iterator[str]:
    """``gunicorn -w 2 app_spec`` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [str(VENV_BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
               "--chdir", str(chdir), "--log-level", "warning", app_spec]
    process = subprocess.Popen(command, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()  # noqa: S310 loopback http
            return
        except urllib.error.HTTPError:
            return  # it answers; the status does not matter here
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int

    def line(self) -> str:
        return (f"{self.requests_per_second:8.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
                f"p99 {self.p99_ms:6.2f} ms   ({self.requests} requests, "
                f"{self.non_2xx} non-2xx, {self.errors} socket errors)")


def run_wrk(url: str, *, seconds: int = 10, connections: int = 16, threads: int = 2,
            script: Path | None = None) -> WrkResult:
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], check=True, capture_output=True,
                            text=True).stdout
    return parse_wrk(output)


def _millis(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> WrkResult:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _millis(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _millis(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    return WrkResult(rate, p50, p99, total, int(non_2xx.group(1)) if non_2xx else 0,
                     sum(int(n) for n in errors.groups()) if errors else 0)


def random_path_script(folder: Path, paths_file: Path, method: str = "GET",
                       body: str | None = None, content_type: str | None = None) -> Path:
    """A wrk Lua script that requests a random line of ``paths_file`` each time."""
    headers = f'{{["Content-Type"] = "{content_type}"}}' if content_type else "{}"
    body_lua = f'"{body}"' if body is not None else "nil"
    script = folder / "random_paths.lua"
    script.write_text(f'''
local paths = {{}}
for line in io.lines("{paths_file}") do paths[#paths + 1] = line end
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  math.randomseed(os.time() * 1000 + id)
end
request = function()
  local path = paths[math.random(#paths)]
  return wrk.format("{method}", path, {headers}, {body_lua})
end
''')
    return script


@contextmanager
def hello_world(folder: Path) -> Iterator[str]:
    """A Flask hello-world under the same gunicorn config: the yardstick."""
    hello = folder / "hello"
    hello.mkdir(exist_ok=True)
    (hello / "hello.py").write_text(HELLO_APP)
    with gunicorn("hello:app", {}, chdir=hello) as base:
        yield base + "/"


def combine(runs: list[WrkResult]) -> WrkResult:
    """Several short runs as one: summed requests over summed time, median percentiles."""
    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    seconds = sum(run.requests / run.requests_per_second for run in runs)
    return WrkResult(sum(run.requests for run in runs) / seconds,
                     median([run.p50_ms for run in runs]), median([run.p99_ms for run in runs]),
                     sum(run.requests for run in runs), sum(run.non_2xx for run in runs),
                     sum(run.errors for run in runs))


def interleaved(targets: dict[str, tuple[str, Path | None]], *, seconds: int = 10,
                connections: int = 16, slices: int = 5) -> dict[str, WrkResult]:
    """wrk on each (url, script) target in turn, ``slices`` times ``seconds / slices`` each,
    so that other work on a shared machine weighs on every target alike; after a 2 s
    warm-up of each."""
    for url, script in targets.values():
        run_wrk(url, seconds=2, connections=connections, script=script)
    runs: dict[str, list[WrkResult]] = {name: [] for name in targets}
    step = max(1, seconds // slices)
    for _ in range(slices):
        for name, (url, script) in targets.items():
            runs[name].append(run_wrk(url, seconds=step, connections=connections,
                                      script=script))
    return {name: combine(found) for name, found in runs.items()}


# People per transaction, as the product writes (one person, or an import's batch, per
# transaction): within one transaction PostgreSQL keeps every version of the console's count
# rows that each new person updates, so one huge transaction grows slower with every row.
FILL_CHUNK = 1_000


def fill_database(people: int, paths_file: Path, database_url: str | None,
                  make_path: Callable[[int], str]) -> None:
    """A fresh schema with ``people`` active people (Core inserts; the address still goes
    through EncryptedText), each consenting to email offers, and ``make_path(id)`` for each
    written to ``paths_file``. A PostgreSQL database is emptied first (DROP SCHEMA public)."""
    from sqlalchemy import insert, text

    from preference_centre import clock, crypto
    from preference_centre.extensions import db
    from preference_centre.models import ConsentState, NoticeVersion, Person

    postgres = bool(database_url and database_url.startswith("postgresql"))
    if postgres:
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    db.create_all()
    now = clock.utcnow()
    db.session.execute(insert(NoticeVersion.__table__).values(
        version="1", published_at=now, material=False, summary="bench", body=""))
    started = time.perf_counter()
    with paths_file.open("w") as out:
        for first in range(1, people + 1, FILL_CHUNK):
            ids = range(first, min(first + FILL_CHUNK, people + 1))
            db.session.execute(insert(Person.__table__), [{
                "id": i, "email": f"person{i}@example.com",
                "email_hash": crypto.email_hash(f"person{i}@example.com"), "status": "active",
                "origin": "import", "created_at": now, "updated_at": now, "consent_version": 0,
                "email_verified_at": now,
            } for i in ids])
            db.session.execute(insert(ConsentState.__table__), [{
                "person_id": i, "purpose": "email:offers", "allowed": True, "updated_at": now,
            } for i in ids])
            out.writelines(make_path(i) + "\n" for i in ids)
            db.session.commit()
    if postgres:  # explicit ids: move the sequence past them
        db.session.execute(text("SELECT setval('people_id_seq', (SELECT max(id) FROM people))"))
    db.session.commit()
    print(f"filled {people:,} people in {time.perf_counter() - started:.1f} s")


def verdict(ok: bool) -> str:
    return "meets target" if ok else "BELOW TARGET"
