"""Sending on a background thread while the worker composes the next messages.

An SMTP exchange is mostly waiting for the server; composing a message (consent check,
personalising, signing links) is mostly CPU. Overlapping the two makes a batch take about
as long as the slower of them instead of their sum. The thread does network I/O only: every
database read and every consent decision stays on the worker's own thread and session.
"""

from __future__ import annotations

import queue
import sys
import threading
from datetime import datetime
from typing import Any

from .. import clock
from .transport import DeliveryError

# How far composing may run ahead of sending: consent is checked at most this many
# messages before the message leaves.
DEPTH = 16
SWITCH_INTERVAL = 0.0002


class Pipeline:
    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[int, str, Any, Any] | None] = queue.Queue(DEPTH)
        self.results: dict[int, tuple[DeliveryError | None, datetime]] = {}
        self.broken: dict[str, DeliveryError] = {}
        self.thread = threading.Thread(target=self._run, name="outbox-send", daemon=True)
        # While composing keeps the main thread busy, the sending thread needs the GIL back
        # after every SMTP reply; with the default 5 ms switch interval it waits most of that
        # each time (four replies a message). A short interval, for the batch only, fixes it.
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.thread.start()

    def submit(self, row_id: int, channel: str, sender: Any, payload: Any) -> None:
        """Queue ``payload`` for ``sender.transmit``; blocks while the queue is full."""
        self.queue.put((row_id, channel, sender, payload))

    def finish(self) -> dict[int, tuple[DeliveryError | None, datetime]]:
        """Wait for everything submitted; row id -> (error or None when sent, when)."""
        self.queue.put(None)
        self.thread.join()
        sys.setswitchinterval(self.switch_interval)
        return self.results

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            row_id, channel, sender, payload = item
            error = self.broken.get(channel)  # after a lost connection, the rest wait too
            if error is None:
                try:
                    sender.transmit(payload)
                except DeliveryError as exc:
                    error = exc
                    if exc.connection_lost:
                        self.broken[channel] = exc
                except Exception as exc:  # noqa: BLE001 - a surprise must not stop the batch
                    error = DeliveryError(type(exc).__name__, temporary=True)
            self.results[row_id] = (error, clock.utcnow())
