"""Where a text message goes: ``send_text(to_number, body) -> provider id``.

With ``SMS_WEBHOOK_URL`` set, each text is POSTed as JSON ``{"to", "body"}`` to the provider's
endpoint; otherwise (development) each text is written to ``instance/sms/`` as a file.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Protocol
from urllib import error, request

from .. import clock

DEFAULT_TIMEOUT_SECONDS = 10


class SendFailed(RuntimeError):
    """The text was not accepted; ``temporary`` says whether trying later may help."""

    def __init__(self, reason: str, *, temporary: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


class TextSender(Protocol):
    def send_text(self, to_number: str, body: str) -> str:
        """Hand one text to the provider; returns the provider's id for it."""
        ...


class FolderTextSender:
    """Development backend: one file per text, ``<timestamp>-<id>.txt``, like a mail catcher."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send_text(self, to_number: str, body: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex[:12]
        stamp = clock.utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{message_id}.txt"
        path.write_text(f"To: {to_number}\n\n{body}\n", encoding="utf-8")
        return message_id


class WebhookTextSender:
    """A real provider: POST ``{"to", "body"}`` as JSON; its answer may name an ``id``."""

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("SMS_WEBHOOK_URL must be an http(s) address")
        self.url = url
        self.timeout = timeout

    def send_text(self, to_number: str, body: str) -> str:
        payload = json.dumps({"to": to_number, "body": body}).encode("utf-8")
        outgoing = request.Request(self.url, data=payload, method="POST",  # noqa: S310
                                   headers={"Content-Type": "application/json"})
        try:
            with request.urlopen(outgoing, timeout=self.timeout) as response:  # noqa: S310 http(s)
                answer = response.read(64 * 1024)
        except error.HTTPError as exc:
            # 4xx: the provider refuses this text (bad number...); 5xx: try again later.
            raise SendFailed(f"provider answered {exc.code}", temporary=exc.code >= 500) from None
        except (error.URLError, TimeoutError, OSError) as exc:
            raise SendFailed(f"provider unreachable ({type(exc).__name__})") from None
        return _provider_id(answer)


def _provider_id(answer: bytes) -> str:
    try:
        data: Any = json.loads(answer or b"{}")
    except ValueError:
        data = {}
    found = data.get("id") if isinstance(data, dict) else None
    return str(found)[:64] if found else uuid.uuid4().hex[:12]


def text_sender(config: Any, instance_path: str) -> TextSender:
    """The backend the settings ask for."""
    url = config.get("SMS_WEBHOOK_URL")
    if url:
        timeout = float(config["SMS_WEBHOOK_TIMEOUT"])
        return WebhookTextSender(url, timeout)
    return FolderTextSender(Path(instance_path) / "sms")
