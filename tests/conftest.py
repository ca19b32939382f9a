"""Fixtures: a fresh app and database per test (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), a real SMTP server, a movable clock, factories and a browser."""

from __future__ import annotations

import email
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import g
from sqlalchemy import create_engine, make_url, text

from preference_centre import clock, create_app
from preference_centre.extensions import db
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_app import base_config, free_port, point_mail_at

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])

# Fixtures by area; tests ask for them by name, plain helpers live in tests/helpers_*.py.
pytest_plugins = [
    "tests.fixtures_accounts", "tests.fixtures_api", "tests.fixtures_browser",
    "tests.fixtures_contacts",
    "tests.fixtures_data_rights", "tests.fixtures_messaging", "tests.fixtures_staff",
]


# Mail ------------------------------------------------------------------------------------------

class Mailbox:
    """Messages received by the test SMTP server, parsed with the ``email`` package."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[Any] = []
        self.reply: str = "250 OK"
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reply.startswith("250"):
            with self.lock:
                self.envelopes.append(envelope)
                self.messages.append(
                    email.message_from_bytes(envelope.original_content, policy=policy.default)
                )
        return self.reply

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
        self.reply = "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last_to(self, address: str) -> email.message.EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[str(m['To']) for m in self.messages]}"
        return found[-1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Controller, Mailbox]) -> Mailbox:
    """The real SMTP server's inbox, empty at the start of the test."""
    smtp_server[1].clear()
    return smtp_server[1]


# Clock -----------------------------------------------------------------------------------------

class FrozenClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when if when.tzinfo else when.replace(tzinfo=UTC)


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """Time stands still until the test moves it (``frozen_clock.advance(days=1)``)."""
    frozen = FrozenClock(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    clock.set_source(frozen)
    yield frozen
    clock.set_source(None)


# Database and app ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the schema, copied for each test (faster than creating it)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(base_config(f"sqlite:///{path}", mail_port=1))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str | None]:
    """The PostgreSQL schema, built once per run (per xdist worker, in its own database);
    each test then empties every table."""
    if not TEST_DATABASE_URL:
        yield None
        return
    url = worker_database(TEST_DATABASE_URL)
    app = create_app(base_config(url, mail_port=1))
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    yield url


def worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets ``<database>_<worker id>`` (created through the
    ``postgres`` maintenance database when missing), so workers never empty each other's
    tables; a serial run uses ``url`` itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    maintenance = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name}).scalar()
        if not found:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    maintenance.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def stalled_smtp(app: Any) -> Iterator[socket.socket]:
    """A server that accepts connections and never says a word; MAIL_PORT points at it.
    Yields the listening socket: ``accept`` on it tells whether anyone connected."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    point_mail_at(app, listener.getsockname()[1])
    yield listener
    listener.close()


def truncate_all(engine: Any) -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app(request: pytest.FixtureRequest, engine_name: str, tmp_path: Path,
        smtp_server: tuple[Controller, Mailbox], sqlite_template: Path,
        postgres_schema: str | None) -> Iterator[Any]:
    """A fresh app and empty database. Extra settings: ``@pytest.mark.app_config(NAME=value)``."""
    if engine_name == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = postgres_schema
    extra: dict[str, Any] = {}
    for marker in request.node.iter_markers("app_config"):
        extra = {**marker.kwargs, **extra}
    os.environ["INSTANCE_PATH"] = str(tmp_path / "instance")
    try:
        application = create_app(base_config(url, smtp_server[0].port, **extra))
    finally:
        os.environ.pop("INSTANCE_PATH", None)
    @application.before_request
    def fresh_request_globals() -> None:
        # The test holds one app context for its whole length and the test client reuses it,
        # so ``g`` (where Flask-Login caches the user) would outlive a request. In production
        # every request has its own ``g``; make tests behave the same.
        for name in list(g):
            g.pop(name)

    with application.app_context():
        if engine_name == "postgresql":
            truncate_all(db.engine)
        yield application
        db.session.remove()
        db.engine.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**settings): extra settings for the app")


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


def drop_every_table(engine_name: str) -> None:
    if engine_name == "postgresql":
        db.session.remove()
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    else:
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_database(app: Any, engine_name: str) -> Iterator[None]:
    """No tables at all, for tests that run the migrations; afterwards the schema is the
    models' again (with their triggers), as the rest of the run expects on PostgreSQL."""
    drop_every_table(engine_name)
    yield
    drop_every_table(engine_name)
    db.create_all()


# Factories -------------------------------------------------------------------------------------

@pytest.fixture
def make_person(app: Any) -> Any:
    """``make_person(email=..., password=..., status="active", **fields)`` -> a saved Person."""
    from preference_centre.passwords import hash_secret
    from preference_centre.people import new_person

    counter = {"n": 0}

    def make(email: str | None = None, password: str | None = DEFAULT_PASSWORD,
             status: str = "active", origin: str = "register", **fields: Any) -> Any:
        counter["n"] += 1
        address = email or f"person{counter['n']}@example.com"
        person = new_person(address, origin=origin, status=status, **fields)
        if password is not None:
            person.password_hash = hash_secret(password)
        db.session.commit()
        return person

    return make


class Auth:
    """Logs a test client in without the login form (the login form has its own tests)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def login(self, person: Any, *, minutes_ago: float = 0, client: Any = None) -> str:
        """Sign ``person`` in on this test's client (or on ``client``, another browser)."""
        from preference_centre.auth.sessions import start_session

        key = start_session(person, remember=False, ip="127.0.0.1", user_agent="pytest")
        if minutes_ago:
            person.login_session.authenticated_at = clock.utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
        with (client or self.client).session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        return key


@pytest.fixture
def auth(client: Any) -> Auth:
    return Auth(client)
