"""Signed link tokens never reach a log: not the development server's request lines, not
Gunicorn's access log, not Flask's record of a failed request."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from preference_centre import tokens
from preference_centre.preferences.links import preference_link
from tests.conftest import free_port, process_environment


def _paths(app, person_id):
    with app.test_request_context():
        one_click = tokens.make_unsubscribe_token(person_id, "email", "offers", "m1")
        preferences = preference_link(person_id).rsplit("/p/", 1)[1]
    return one_click, preferences


def _service_link(app, person_id):
    """A service message's link covers every topic: its token holds a ``*``."""
    with app.test_request_context():
        token = tokens.make_unsubscribe_token(person_id, "email", "*", "service-m2")
    assert "*" in token
    return token


def _fetch(url, data=None):
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _visit(base, one_click, preferences, service=None):
    assert _fetch(f"{base}/u/{one_click}") == 200
    if service:  # as a client that escapes everything but letters and digits sends it
        assert _fetch(f"{base}/u/{quote(service, safe='')}") == 200
    assert _fetch(f"{base}/p//{preferences}") == 200  # redirected to /p/<token>
    assert _fetch(f"{base}/u/{one_click}", data=b"List-Unsubscribe=One-Click") == 200
    assert _fetch(f"{base}/p/{preferences}") == 200
    assert _fetch(f"{base}/cookies?next=%2Fp%2F{preferences}") == 200
    assert _fetch(f"{base}/verify/not-a-real-but-secret-looking-token") in (200, 400)
    assert _fetch(f"{base}/p/new-link") == 200


def test_the_development_server_logs_request_lines_without_tokens(app, make_person, caplog):
    person = make_person()
    one_click, preferences = _paths(app, person.id)
    service = _service_link(app, person.id)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        _visit(f"http://127.0.0.1:{server.server_port}", one_click, preferences, service)
    finally:
        server.shutdown()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert "POST /u/[token] HTTP/1.1" in logged
    assert "GET /p/[token] HTTP/1.1" in logged
    assert "/verify/[token]" in logged and "next=/p/[token]" in logged
    assert "GET /p/new-link HTTP/1.1" in logged  # a fixed address stays readable
    for secret in (one_click, preferences, "secret-looking", service.rsplit(".", 1)[1]):
        assert secret not in logged


def test_a_failed_request_is_logged_without_its_token(app, client, make_person, caplog,
                                                       monkeypatch):
    from preference_centre.unsubscribe import services

    def broken(token):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "read_link", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    one_click, _ = _paths(app, make_person().id)
    assert client.get(f"/u/{one_click}").status_code == 500
    logged = [r for r in caplog.records if r.name == app.logger.name]
    assert logged and "Exception on /u/[token] [GET]" in logged[0].getMessage()
    assert one_click not in caplog.text


def test_gunicorns_access_log_has_no_tokens(app, make_person, tmp_path, engine_name):
    if engine_name != "sqlite":
        pytest.skip("the log does not depend on the engine")
    person = make_person()
    one_click, preferences = _paths(app, person.id)
    service = _service_link(app, person.id)
    from preference_centre.extensions import db

    db.session.commit()
    db.engine.dispose()
    access_log, port = tmp_path / "access.log", free_port()
    env = process_environment(app, tmp_path / "gunicorn-instance")
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "--chdir", str(root), "app:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process)
        _visit(base, one_click, preferences, service)
    finally:
        process.terminate()
        process.wait(timeout=20)
    logged = access_log.read_text()
    assert '"POST /u/[token] HTTP/1.1" 200' in logged
    assert '"GET /p/[token] HTTP/1.1" 200' in logged
    assert "next=%2Fp%2F[token]" in logged  # gunicorn logs the query as it came
    assert '"GET /p//[token] HTTP/1.1" 308' in logged
    assert '"GET /u/[token] HTTP/1.1" 200' in logged
    for secret in (one_click, preferences, "secret-looking", service.rsplit(".", 1)[1]):
        assert secret not in logged


def _wait_for(base, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited during start-up"
        if _fetch_or_none(base + "/healthz") == 200:
            return
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def _fetch_or_none(url):
    try:
        return _fetch(url)
    except OSError:
        return None


def test_module_loggers_and_tracebacks_are_covered_too(app, caplog):
    # A module logger's records bypass filters on its parent; each gets the filter itself.
    from preference_centre.messaging import outbox

    caplog.set_level(logging.INFO)
    outbox.log.info("retrying %s", "/u/abc.def.ghi")
    try:
        raise ValueError("bad link /p/secret.token.value")
    except ValueError:
        app.logger.exception("failed")
    assert "/u/[token]" in caplog.text and "/p/[token]" in caplog.text
    assert "abc.def.ghi" not in caplog.text and "secret.token.value" not in caplog.text
