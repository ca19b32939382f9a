"""The application factory: config, then extensions, then blueprints, CLI and error pages."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import config as settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` is the last configuration layer (tests only)."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(project_root, "instance"),
        template_folder=os.path.join(project_root, "templates"),
        static_folder=os.path.join(project_root, "static"),
    )
    configure_settings(app, test_config)
    configure_extensions(app)
    configure_blueprints(app)
    configure_cli(app)
    configure_pages(app)
    return app


def configure_settings(app: Flask, test_config: dict[str, Any] | None) -> None:
    from . import database

    app.config.from_mapping(settings.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{os.path.join(app.instance_path, 'preference_centre.db')}"
    )
    testing = bool(test_config and test_config.get("TESTING"))
    if not testing:
        app.config.from_pyfile(settings.ensure_instance_secrets(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.parse_environment(dict(os.environ)))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = settings.database_url(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(
        str(app.config["SQLALCHEMY_DATABASE_URI"]), app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    for name in ("SECRET_KEY_FALLBACKS", "DATA_ENCRYPTION_KEYS"):
        app.config[name] = settings.split_list(app.config.get(name))
    https = str(app.config["BASE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config["PREFERRED_URL_SCHEME"] = "https" if https else "http"
    settings.check_secrets(app.config)


def configure_extensions(app: Flask) -> None:
    from . import crypto, database
    from .extensions import csrf, db, limiter, login_manager, mail, migrate

    crypto.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from .auth import sessions

    sessions.init_login_manager(login_manager)


def configure_blueprints(app: Flask) -> None:
    from .account import bp as account_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .data_rights import bp as data_rights_bp
    from .preferences import bp as preferences_bp
    from .public import bp as public_bp
    from .sms import bp as sms_bp
    from .staff.views import bp as staff_bp
    from .unsubscribe import bp as unsubscribe_bp

    for blueprint in (public_bp, auth_bp, account_bp, preferences_bp, unsubscribe_bp,
                      data_rights_bp, staff_bp, api_bp, sms_bp):
        app.register_blueprint(blueprint)


def configure_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)


def configure_pages(app: Flask) -> None:
    from . import token_redaction, web

    web.init_app(app)
    token_redaction.install(app)  # after every route exists: it reads the URL map
