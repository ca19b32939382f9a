"""Text messages: marketing texts carry a working opt-out link, leave through the outbox to
the development folder or a provider's webhook, and a "STOP" reply opts the number out."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from preference_centre import crypto, tokens
from preference_centre.consent import Actor, current_state, history, record_changes
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import OutboxMessage, Suppression
from preference_centre.sms.senders import SendFailed, WebhookTextSender
from preference_centre.sms.services import queue_text
from tests.helpers_app import free_port

SECRET = "inbound-shared-secret-" + "s" * 20
SMS_PURPOSES = {"sms:offers", "sms:updates", "sms:policy"}


@pytest.fixture
def texter(make_person: Any) -> Any:
    """Someone who agreed to offers and updates by text."""
    person = make_person(phone="07700 900123")
    record_changes(person.id, {"sms:offers": True, "sms:updates": True, "email:offers": True},
                   Actor(source="form"))
    db.session.commit()
    return person


def sms_files(app: Any) -> list[Path]:
    return sorted((Path(app.instance_path) / "sms").glob("*.txt"))


def test_marketing_text_goes_to_the_folder_with_a_working_opt_out_link(
        app: Any, client: Any, texter: Any) -> None:
    queue_text(texter, "offers", "Half price this weekend.")
    db.session.commit()
    assert deliver_due()["sent"] == 1
    [written] = sms_files(app)
    assert re.match(r"\d{8}T\d+Z-[0-9a-f]{12}\.txt", written.name)
    text = written.read_text()
    assert "To: 07700 900123" in text
    assert "Half price this weekend." in text
    link = re.search(r"Stop texts: (\S+)", text).group(1)
    assert link.startswith(app.config["BASE_URL"] + "/u/")
    token = link.rsplit("/", 1)[1]
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert tokens.read_unsubscribe_token(token) == (texter.id, "sms", "offers", str(row.id))
    assert client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is False
    assert current_state(texter.id)["sms:updates"] is True


def test_a_text_campaign_carries_each_persons_opt_out_link(
        app: Any, client: Any, texter: Any, runner: Any) -> None:
    body = Path(app.instance_path) / "campaign.txt"
    body.parent.mkdir(parents=True, exist_ok=True)
    body.write_text("Half price for {{ first_name }}.")
    result = runner.invoke(args=["campaign", "send", "--topic", "offers", "--channel", "sms",
                                 "--body-file", str(body)])
    assert result.exit_code == 0 and "queued 1" in result.output, result.output
    assert deliver_due()["sent"] == 1
    [written] = sms_files(app)
    text = written.read_text()
    assert "Half price for" in text
    token = re.search(r"Stop texts: \S+/u/(\S+)", text).group(1)
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert tokens.read_unsubscribe_token(token) == (texter.id, "sms", "offers", str(row.id))
    assert client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is False


def test_text_is_not_sent_when_consent_went_after_queueing(app: Any, texter: Any) -> None:
    queue_text(texter, "offers", "Half price this weekend.")
    db.session.commit()
    record_changes(texter.id, {"sms:offers": False}, Actor(source="form"))
    db.session.commit()
    assert deliver_due()["suppressed"] == 1
    assert sms_files(app) == []


class Provider(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        Provider.received.append({"type": self.headers["Content-Type"],
                                  "json": json.loads(self.rfile.read(length))})
        self.send_response(Provider.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "prov-42"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def provider() -> Any:
    Provider.received = []
    Provider.status = 200
    server = HTTPServer(("127.0.0.1", free_port()), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_webhook_backend_posts_json_to_the_provider(app: Any, texter: Any, provider: str) -> None:
    app.config["SMS_WEBHOOK_URL"] = provider
    queue_text(texter, "updates", "Our app has a new look.")
    db.session.commit()
    assert deliver_due()["sent"] == 1
    [request] = Provider.received
    assert request["type"] == "application/json"
    assert request["json"]["to"] == "07700 900123"
    assert request["json"]["body"].startswith("Our app has a new look.\nStop texts: ")
    assert sms_files(app) == []


def test_webhook_sender_returns_the_provider_id_and_reports_failures(provider: str) -> None:
    sender = WebhookTextSender(provider, timeout=2)
    assert sender.send_text("+447700900123", "hello") == "prov-42"
    Provider.status = 503
    with pytest.raises(SendFailed) as failure:
        sender.send_text("+447700900123", "hello")
    assert failure.value.temporary
    with pytest.raises(SendFailed):
        WebhookTextSender(f"http://127.0.0.1:{free_port()}/", timeout=2).send_text("1", "x")


def stop(client: Any, number: str, text: str = "STOP", **headers: str) -> Any:
    return client.post("/sms/inbound", data={"from": number, "text": text}, headers=headers)


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET, WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("reply", ["STOP", "stop", "Unsubscribe", "quit.", "StopAll", "end"])
def test_stop_reply_opts_the_number_out_of_all_marketing_texts(client: Any, texter: Any,
                                                               reply: str) -> None:
    response = stop(client, "+44 7700 900123", reply, **{"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    assert "no more marketing texts" in response.get_data(as_text=True)
    db.session.expire_all()
    state = current_state(texter.id)
    assert not any(state[key] for key in SMS_PURPOSES)
    assert state["email:offers"] is True
    stops = [e for e in history(texter.id) if e.source == "sms_stop"]
    assert {e.purpose for e in stops} == {"sms:offers", "sms:updates"}


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_secret_may_come_as_a_form_field(client: Any, texter: Any) -> None:
    response = client.post("/sms/inbound", data={"from": "07700900123", "text": "STOP",
                                                 "secret": SECRET})
    assert response.status_code == 200
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is False


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_stop_from_an_unknown_number_suppresses_it(client: Any) -> None:
    assert stop(client, "07700 900999", **{"X-SMS-Secret": SECRET}).status_code == 200
    assert stop(client, "07700 900999", **{"X-SMS-Secret": SECRET}).status_code == 200
    rows = db.session.execute(db.select(Suppression)).scalars().all()
    assert [(r.kind, r.value_hash, r.reason) for r in rows] == [
        ("phone", crypto.phone_hash("+447700900999"), "sms_stop")]


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_other_replies_change_nothing(client: Any, texter: Any) -> None:
    response = stop(client, "07700900123", "Stop by the shop?", **{"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    response = stop(client, "07700900123", "yes please", **{"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is True


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("headers", [{}, {"X-SMS-Secret": "wrong"}, {"X-SMS-Secret": ""}])
def test_wrong_or_missing_secret_is_refused(client: Any, texter: Any,
                                            headers: dict[str, str]) -> None:
    assert stop(client, "07700900123", **headers).status_code == 403
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is True


def test_inbound_is_closed_when_no_secret_is_configured(client: Any, texter: Any) -> None:
    assert stop(client, "07700900123", **{"X-SMS-Secret": ""}).status_code == 403


NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
@pytest.mark.parametrize("body", [
    '{"from": "07700900123", "text": ' + NESTED + "}",
    NESTED,
    "[" * 100_000,
    '{"from": "07700900123", "text": "STOP"',
    '["07700900123", "STOP"]',
])
def test_a_reply_that_is_not_a_readable_json_object_gets_a_clear_400(client: Any, texter: Any,
                                                                     body: str) -> None:
    response = client.post("/sms/inbound", data=body, content_type="application/json",
                           headers={"X-SMS-Secret": SECRET})
    assert response.status_code == 400
    assert "JSON object" in response.get_data(as_text=True)
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is True


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_a_stop_reply_may_come_as_json(client: Any, texter: Any) -> None:
    response = client.post("/sms/inbound", json={"from": "07700900123", "text": "STOP"},
                           headers={"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is False


@pytest.mark.app_config(SMS_INBOUND_SECRET=SECRET)
def test_a_json_reply_may_give_the_number_as_a_number(client: Any, texter: Any) -> None:
    response = client.post("/sms/inbound", json={"from": 447700900123, "text": "STOP"},
                           headers={"X-SMS-Secret": SECRET})
    assert response.status_code == 200
    assert client.post("/sms/inbound", json={"from": ["07700900123"], "text": "STOP"},
                       headers={"X-SMS-Secret": SECRET}).status_code == 400
    db.session.expire_all()
    assert current_state(texter.id)["sms:offers"] is False
