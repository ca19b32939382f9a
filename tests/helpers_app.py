"""Plain helpers for building the app outside the ``app`` fixture: its test settings, a
free port, and the environment of the app run as a separate process."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from preference_centre.extensions import mail

FERNET_KEY = Fernet.generate_key().decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
