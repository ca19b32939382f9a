"""The application factory: config, then extensions, then blueprints, CLI and error pages."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask

from . import (
    account,
    api,
    auth,
    cookies,
    crypto,
    data_rights,
    database,
    preferences,
    privacy,
    public,
    signup,
    sms,
    staff,
    token_redaction,
    unsubscribe,
    web,
)
from . import config as settings
from .account import views as account_views
from .api import views as api_views
from .auth import limits, sessions
from .auth import views as auth_views
from .cli import register_commands
from .console import aggregate as console_aggregate
from .cookies import hooks as cookie_hooks
from .cookies import views as cookie_views
from .data_rights import request_views as rights_request_views
from .data_rights import views as rights_views
from .extensions import csrf, db, limiter, login_manager, mail, migrate
from .preferences import views as preference_views
from .privacy import views as privacy_views
from .public import views as public_views
from .signup import views as signup_views
from .sms import views as sms_views
from .staff import views as staff_views
from .unsubscribe import views as unsubscribe_views
from .web.record_ids import RecordId

# Importing a feature's views module attaches its routes to the feature's blueprint.
FEATURE_VIEWS = (account_views, api_views, auth_views, cookie_hooks, cookie_views,
                 rights_request_views, rights_views, preference_views, privacy_views,
                 public_views, signup_views, sms_views, staff_views, unsubscribe_views)
# Importing these attaches hooks to the database metadata (create_all's console triggers).
DATABASE_HOOKS = (console_aggregate,)
FEATURES = (public, auth, account, preferences, signup, privacy, cookies, unsubscribe,
            data_rights, staff, api, sms)


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
    # "Keep me logged in" makes the session permanent; the sign-in row caps it the same.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=app.config["SESSION_DAYS"])
    for name in ("SECRET_KEY_FALLBACKS", "DATA_ENCRYPTION_KEYS"):
        app.config[name] = settings.split_list(app.config.get(name))
    https = str(app.config["BASE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["PREFERRED_URL_SCHEME"] = "https" if https else "http"
    settings.check_secrets(app.config)


def configure_extensions(app: Flask) -> None:
    crypto.init_app(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    limits.warn_if_counted_per_process(app)
    login_manager.init_app(app)
    sessions.init_login_manager(login_manager)


def configure_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = RecordId  # before any route names it
    for feature in FEATURES:
        app.register_blueprint(feature.bp)


def configure_cli(app: Flask) -> None:
    register_commands(app)


def configure_pages(app: Flask) -> None:
    web.init_app(app)
    token_redaction.install(app)  # after every route exists: it reads the URL map
