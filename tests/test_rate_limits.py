"""Rate limits: password guessing is slowed down, but nobody can lock someone else out, and
the counts are shared between processes when Redis holds them."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid

import pytest

from preference_centre import create_app, extensions
from preference_centre.auth import limits
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_app import base_config

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")  # e.g. redis://127.0.0.1:6379/7
# One prefix for the whole run: the module-level limiter keeps the first prefix it was given.
REDIS_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
NEW_PASSWORD = "a brand new passphrase"
WRONG_PASSWORD = "wrong password here"


def _login_from(client, ip, email, password=WRONG_PASSWORD):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
@pytest.mark.parametrize("network_a, also_a, network_b", [
    ("198.51.100.7", "198.51.100.200", "203.0.113.9"),
    ("2001:db8:1:2::7", "2001:db8:1:2:ffff::1", "2001:db8:1:3::1"),
], ids=["ipv4", "ipv6"])
def test_failures_from_one_network_do_not_lock_the_person_out_elsewhere(
        app, client, make_person, network_a, also_a, network_b):
    extensions.limiter.reset()
    make_person(email="alice@example.com")
    attacker = [_login_from(client, network_a if n % 2 else also_a, "alice@example.com")
                for n in range(5)]
    assert [r.status_code for r in attacker] == [200] * 5
    # The attacker's network is limited for her address, even with the right password...
    blocked = _login_from(client, network_a, "alice@example.com", DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    # ...while Alice logs in from her own network.
    alice = app.test_client()
    assert _login_from(alice, network_b, "alice@example.com", DEFAULT_PASSWORD).status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_a_successful_log_in_is_not_counted(app, make_person):
    extensions.limiter.reset()
    make_person(email="bo@example.com")
    for _ in range(8):
        browser = app.test_client()
        assert _login_from(browser, "198.51.100.7", "bo@example.com",
                           DEFAULT_PASSWORD).status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_guessing_the_current_password_is_rate_limited_per_account(app, client, make_person, auth):
    extensions.limiter.reset()
    person = make_person(email="cy@example.com")
    auth.login(person, client=client)
    other_device = app.test_client()
    auth.login(person, client=other_device)

    def guess(browser, ip, n):
        return browser.post("/account/password", environ_base={"REMOTE_ADDR": ip},
                            data={"current_password": f"guess number {n}",
                                  "new_password": NEW_PASSWORD}).status_code

    statuses = [guess(client, "198.51.100.7", n) for n in range(3)]
    statuses += [guess(other_device, "203.0.113.9", n) for n in range(2)]
    assert statuses == [200] * 5
    assert guess(other_device, "203.0.113.50", 5) == 429  # per account, whatever the address


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_EMAIL_RATE_LIMIT="100 per minute")
def test_guessing_the_current_password_is_rate_limited_per_ip(app, client, make_person, auth):
    extensions.limiter.reset()
    for n in range(11):
        browser = app.test_client()
        auth.login(make_person(email=f"p{n}@example.com"), client=browser)
        response = browser.post("/account/password", environ_base={"REMOTE_ADDR": "192.0.2.1"},
                                data={"current_password": "not it", "new_password": NEW_PASSWORD})
        assert response.status_code == (200 if n < 10 else 429), n


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_memory_storage_is_reported_as_per_process(app, client, caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", mail_port=1,
                               RATELIMIT_ENABLED=True))
    assert [r.getMessage() for r in caplog.records].count(limits.PER_PROCESS_WARNING) == 1

    assert client.get("/healthz").data == b"ok"  # what monitors read stays the same
    detail = client.get("/healthz?detail=1")
    assert detail.status_code == 200
    assert detail.json["status"] == "ok"
    rate_limits = detail.json["rate_limits"]
    assert rate_limits["storage"] == "memory"
    assert rate_limits["shared_between_processes"] is False
    assert "per process" in rate_limits["warning"]


@pytest.mark.skipif(not TEST_REDIS_URL, reason="set TEST_REDIS_URL to a Redis database")
def test_with_redis_two_app_processes_share_one_count(app, make_person, caplog, tmp_path):
    import redis

    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
                "RATELIMIT_KEY_PREFIX": REDIS_KEY_PREFIX}
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    make_person(email="dee@example.com")
    with caplog.at_level(logging.WARNING):
        first = create_app(base_config(database, mail_port=1, **settings))
    assert limits.PER_PROCESS_WARNING not in [r.getMessage() for r in caplog.records]
    detail = first.test_client().get("/healthz?detail=1").json["rate_limits"]
    assert detail == {"enabled": True, "storage": "redis", "shared_between_processes": True}
    try:
        browser = first.test_client()
        for _ in range(5):
            assert _login_from(browser, "198.51.100.7", "dee@example.com").status_code == 200
        second_process = subprocess.run(  # another worker: its own memory, the same Redis
            [sys.executable, "-c", (
                "import sys; from preference_centre import create_app;"
                "from tests.helpers_app import base_config;"
                f"app = create_app(base_config({database!r}, mail_port=1, **{settings!r}));"
                "r = app.test_client().post('/login', environ_base={'REMOTE_ADDR': "
                "'198.51.100.7'}, data={'email': 'dee@example.com', 'password': 'x'});"
                "sys.exit(0 if r.status_code == 429 else r.status_code)")],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            capture_output=True, text=True, timeout=60)
        assert second_process.returncode == 0, second_process.stderr[-2000:]
    finally:
        store = redis.Redis.from_url(TEST_REDIS_URL)
        for key in store.scan_iter(match=f"*{REDIS_KEY_PREFIX}*"):
            store.delete(key)
