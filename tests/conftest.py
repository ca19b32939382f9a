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
from cryptography.fernet import Fernet
from flask import g
from sqlalchemy import text

from preference_centre import clock, create_app
from preference_centre.extensions import db, mail

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
FERNET_KEY = Fernet.generate_key().decode()

pytest_plugins = ["tests.fixtures_browser", "tests.fixtures_staff"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def body_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


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
    """The PostgreSQL schema, built once per run; each test then empties every table."""
    if not TEST_DATABASE_URL:
        yield None
        return
    app = create_app(base_config(TEST_DATABASE_URL, mail_port=1))
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    yield TEST_DATABASE_URL


def base_config(database_url: str, mail_port: int, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "EMAIL_INDEX_KEY": "test-index-key-" + "y" * 32,
        "DATA_ENCRYPTION_KEYS": [FERNET_KEY],
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_port,
        "MAIL_TIMEOUT": 5,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would skip SMTP when TESTING

        "SERVER_NAME": None,
    }
    config.update(extra)
    return config


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


def point_mail_at(app: Any, port: int) -> None:
    """Move a running app to another SMTP port: Flask-Mail reads MAIL_* when the app starts."""
    app.config["MAIL_PORT"] = port
    mail.init_app(app)


def process_environment(app: Any, instance: Path) -> dict[str, str]:
    """Environment for the app run as a separate process (gunicorn, ``flask`` commands)
    against the test's database, with its keys and mail server."""
    config = app.config
    return {
        **os.environ, "INSTANCE_PATH": str(instance),
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": config["SECRET_KEY"],
        "EMAIL_INDEX_KEY": config["EMAIL_INDEX_KEY"],
        "DATA_ENCRYPTION_KEYS": ",".join(config["DATA_ENCRYPTION_KEYS"]),
        "MAIL_SERVER": str(config["MAIL_SERVER"]), "MAIL_PORT": str(config["MAIL_PORT"]),
    }


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


# Factories -------------------------------------------------------------------------------------

DEFAULT_PASSWORD = "correct horse battery staple"


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

    def login(self, person: Any, *, minutes_ago: float = 0) -> str:
        from preference_centre.auth.sessions import start_session

        key = start_session(person, remember=False, ip="127.0.0.1", user_agent="pytest")
        if minutes_ago:
            person.login_session.authenticated_at = clock.utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
        with self.client.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        return key


@pytest.fixture
def auth(client: Any) -> Auth:
    return Auth(client)
