"""The skeleton: the app starts, answers its health check and sends its security headers."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from preference_centre import clock, create_app
from preference_centre.config import ConfigError
from preference_centre.extensions import db
from preference_centre.models import Person
from tests.helpers_app import base_config


def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data == b"ok"


def test_no_engine_pays_a_ping_round_trip_per_checkout(app, engine_name):
    # SQLite has no connection to lose; psycopg checks its socket instead (next test).
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    if engine_name == "postgresql":
        with db.engine.connect() as connection:
            parameters = connection.connection.driver_connection.info.get_parameters()
        assert parameters["keepalives_idle"] == "60"


def test_stored_times_read_back_in_utc_whatever_the_server_zone(app, engine_name):
    """A server set to another zone (here the session's default) still hands UTC back."""
    person = Person(email="ada@example.com", email_hash="h", status="active", origin="api",
                    consent_version=0)
    db.session.add(person)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Person, person.id).created_at
    assert stored.tzinfo is UTC and abs(stored - clock.utcnow()).total_seconds() < 60
    if engine_name == "postgresql":
        assert db.session.scalar(text("SHOW TimeZone")) == "UTC"


def test_postgresql_sessions_do_not_jit_compile_queries(app, engine_name):
    """An export streams one query for seconds: compiling it first made it slower."""
    if engine_name != "postgresql":
        pytest.skip("JIT compilation is PostgreSQL's")
    assert db.session.scalar(text("SHOW jit")) == "off"


def test_engine_options_you_set_win_over_the_defaults(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", mail_port=1,
                                 SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_a_pooled_connection_the_server_cut_is_replaced_before_use(app, client, engine_name):
    if engine_name != "postgresql":
        pytest.skip("a SQLite file has no server to hang up")
    db.engine.dispose()  # so the pool holds just the connection made next
    with db.engine.connect() as connection:
        victim = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_engine(db.engine.url, poolclass=NullPool)
    with admin.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
        for _ in range(200):  # the backend exits asynchronously
            if not other.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                {"pid": victim}):
                break
            time.sleep(0.01)
    admin.dispose()
    response = client.get("/healthz")
    assert response.status_code == 200, response.data
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != victim


def test_pages_send_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    for part in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert part in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.app_config(BASE_URL="https://prefs.example.com")
def test_https_base_url_adds_hsts_and_secure_cookies(app, client):
    response = client.get("/")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_a_malformed_host_header_is_a_400_not_a_500(client):
    # Werkzeug refuses a DNS label over 63 characters before routing; the error page then
    # cannot build links, so it is plain text.
    response = client.get("/login", headers={"Host": "a" * 70 + ".example.com"})
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_first_start_generates_private_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    secrets_file = tmp_path / "instance" / "secrets.py"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["DATA_ENCRYPTION_KEYS"]
    again = create_app()
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]


@pytest.mark.parametrize("weak", ["dev", "short", "changeme"])
def test_weak_secret_key_is_refused_outside_tests(tmp_path, monkeypatch, weak):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SECRET_KEY", weak)
    with pytest.raises(ConfigError):
        create_app()


def test_settings_from_the_environment_are_parsed(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("RETENTION_MONTHS", "24")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", "old-key-one, old-key-two")
    monkeypatch.setenv("API_RATE_LIMIT", "5 per minute")
    app = create_app()
    assert app.config["RETENTION_MONTHS"] == 24
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["SECRET_KEY_FALLBACKS"] == ["old-key-one", "old-key-two"]
    assert app.config["API_RATE_LIMIT"] == "5 per minute"


@pytest.mark.parametrize("given", ["postgres://u@db.example:5432/prefs",
                                   "postgresql://u@db.example:5432/prefs"])
def test_a_postgresql_url_without_a_driver_uses_psycopg(tmp_path, monkeypatch, given):
    # What hosting platforms hand out; SQLAlchemy alone would refuse it or want psycopg2.
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example:5432/prefs"
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"


def test_a_malformed_number_setting_is_refused_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("RETENTION_MONTHS", "three years")
    with pytest.raises(ConfigError, match="RETENTION_MONTHS"):
        create_app()


def test_errors_get_friendly_pages_in_the_site_style(app, client):
    @app.route("/test-boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/test-boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"site.css" in response.data

    response = client.delete("/healthz")
    assert response.status_code == 405
    assert b"Not allowed" in response.data

    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/login", data={"email": "x" * 500})
    assert response.status_code == 413
    assert b"Too much data" in response.data


def test_a_server_error_rolls_back_what_the_request_had_written(app, client, make_person):
    from preference_centre.extensions import db
    from preference_centre.models import Person

    person = make_person(email="rollback@example.com", name="Before")

    @app.route("/test-half-write")
    def half_write():
        db.session.get(Person, person.id).name = "Half written"
        db.session.flush()
        raise RuntimeError("fails after writing")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/test-half-write").status_code == 500
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "Before"


def test_sessions_signed_with_a_retired_key_still_work_while_it_is_a_fallback(
    app, client, make_person, auth
):
    person = make_person(email="rotate@example.com")
    auth.login(person)
    assert client.get("/account").status_code == 200
    old_key = app.config["SECRET_KEY"]
    app.secret_key = app.config["SECRET_KEY"] = "a-brand-new-secret-key-" + "z" * 32
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/account").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/account").status_code == 302
