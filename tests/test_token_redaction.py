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

from preference_centre import token_redaction, tokens
from preference_centre.links import preference_link
from tests.helpers_app import free_port, process_environment


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
    assert _fetch(f"{base}/%70/{preferences}") == 200  # Werkzeug routes it to /p/<token>
    for address in ("hidden.person%40example.com", "hidden.person@example.com"):
        assert _fetch(f"{base}/api/v1/contact-check?email={address}") == 401


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
    assert "contact-check?email=[email] HTTP/1.1" in logged
    for secret in (one_click, preferences, "secret-looking", service.rsplit(".", 1)[1],
                   "hidden.person"):
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
    assert '"GET /%70/[token] HTTP/1.1" 200' in logged
    assert '"GET /api/v1/contact-check?email=[email] HTTP/1.1" 401' in logged
    for secret in (one_click, preferences, "secret-looking", service.rsplit(".", 1)[1],
                   "hidden.person"):
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


def test_module_loggers_and_tracebacks_are_covered_too(app, caplog, outbox):
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


@pytest.fixture(name="redactor")
def redactor_fixture(app):
    return token_redaction.install(app)


LONG = 100_000


@pytest.mark.parametrize("unit", ["/", "%2F", "/%2f//%2F/"])
def test_a_flood_of_slashes_is_logged_with_its_tokens_masked(redactor, unit):
    # A client can put any run of separators in a header; the line is still filtered whole.
    run = unit * (LONG // len(unit))
    head = f'127.0.0.1 "GET /healthz HTTP/1.1" 200 "{run[:990]}p/secret.token.one" "'
    cleaned = redactor.redact(head + run + '"')
    assert cleaned.startswith(f'127.0.0.1 "GET /healthz HTTP/1.1" 200 "{run[:990]}p/[token]"')
    assert "secret.token" not in cleaned
    assert cleaned.count("[token]") == 1 and cleaned.endswith("more characters not logged]")


@pytest.mark.parametrize("run", ["/" * LONG, "%2F" * (LONG // 3), "/%2F%2f//" * (LONG // 9)])
def test_a_long_line_without_tokens_is_cut_not_changed(redactor, run):
    cleaned = redactor.redact(run)
    limit = token_redaction.MAX_LINE
    assert cleaned == run[:limit] + f"[{len(run) - limit} more characters not logged]"


def test_what_lies_beyond_the_examined_length_never_reaches_the_log(redactor):
    line = "a" * token_redaction.MAX_LINE + " /p/secret.token.two ada@example.com"
    cleaned = redactor.redact(line)
    assert "secret.token" not in cleaned and "ada" not in cleaned
    assert cleaned.endswith("[36 more characters not logged]")


def test_each_line_of_a_long_traceback_is_examined(redactor):
    text = "\n".join([f"  line {i}" for i in range(5000)] + ["ValueError: /p/secret.three"])
    assert len(text) > token_redaction.MAX_LINE
    cleaned = redactor.redact(text)
    assert cleaned.endswith("ValueError: /p/[token]") and cleaned.count("\n") == 5000


@pytest.mark.parametrize(("path", "cleaned"), [
    ("/%70/secret.four", "/%70/[token]"),
    ("/%50/secret.four", "/%50/[token]"),
    ("%2F%75%2Fsecret.four/undo", "%2F%75%2F[token]/undo"),
    ("/ver%69fy/secret.four", "/ver%69fy/[token]"),
    ("/%61ccount//email%2fconfirm/secret.four", "/%61ccount//email%2fconfirm/[token]"),
    ("/DATA/erase/secret.four", "/DATA/erase/[token]"),
    ("/%70/new-link", "/%70/new-link"),
    ("/p//new%2Dlink", "/p//new%2Dlink"),
])
def test_any_spelling_that_routes_to_a_token_address_is_masked(redactor, path, cleaned):
    assert redactor.redact(f'"GET {path} HTTP/1.1" 200') == f'"GET {cleaned} HTTP/1.1" 200'


@pytest.mark.parametrize("address", [
    "ada@example.com", "ada%40example.com", "ada%2Bnews%40example.co.uk", "o.k-1_x@mail.example",
])
def test_email_addresses_are_masked(redactor, address):
    line = f'"GET /api/v1/contact-check?email={address}&channel=email HTTP/1.1" 200'
    assert redactor.redact(line) == (
        '"GET /api/v1/contact-check?email=[email]&channel=email HTTP/1.1" 200')


@pytest.mark.parametrize("unit", ["a", "a@", "a%40", "%", "@."])
def test_long_runs_of_address_characters_are_filtered_whole(redactor, unit):
    cleaned = redactor.redact("x=" + unit * (LONG // len(unit)) + " /p/secret.five")
    assert "secret.five" not in cleaned
    assert ("@" in unit or "%40" in unit) == cleaned.startswith("x=[email][")


def test_every_address_on_a_line_is_masked_and_only_the_addresses(redactor):
    line = ('"GET /api/v1/people?email=ada%40example.com&note=50%25off&cc=bob@example.org '
            'HTTP/1.1" 200 "Mozilla/5.0 (ada@home; +http://example.com/bot)"')
    assert redactor.redact(line) == (
        '"GET /api/v1/people?email=[email]&note=50%25off&cc=[email] '
        'HTTP/1.1" 200 "Mozilla/5.0 ([email]; +http://example.com/bot)"')
