"""One SMTP connection per batch, with a timeout, and SMTP answers sorted into outcomes.

4xx answers and connection trouble are temporary (retry later); 5xx answers are permanent.
Error texts are kept short and stripped of addresses: they end up on the outbox row.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Iterator
from typing import Any

_ADDRESS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")
_LINE_START_DOT = re.compile(rb"(?m)^\.")


class DeliveryError(Exception):
    """Sending one message failed; ``temporary`` says whether to try again later, and
    ``connection_lost`` whether the rest of the batch must wait too."""

    def __init__(self, reason: str, *, temporary: bool, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
        self.connection_lost = connection_lost


def describe(code: int | None, text: Any) -> str:
    """A short, address-free description of an SMTP answer or failure."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    message = _ADDRESS.sub("<address>", " ".join(str(text).split()))[:200]
    return f"{code} {message}" if code else message


class SmtpTransport:
    """Opens the connection on the first message, sends each message over it, closes once.
    A message goes in two steps, :meth:`start` and :meth:`finish`, or both at once (:meth:`send`).

    ``mail`` is Flask-Mail's reading of the MAIL_* settings (``Mail.init_app`` registers it
    as ``app.extensions["mail"]``), so they are read and defaulted in one place; ``timeout``
    is MAIL_TIMEOUT, which Flask-Mail has no setting for. README "Sending mail" says why the
    sending itself is ours."""

    def __init__(self, mail: Any, timeout: float) -> None:
        self.host = mail.server
        self.port = int(mail.port)
        self.timeout = float(timeout)
        self.use_ssl = bool(mail.use_ssl)
        self.use_tls = bool(mail.use_tls)
        self.username = mail.username
        self.password = mail.password
        self.connection: smtplib.SMTP | None = None
        self.answer_due = False  # a message was handed over; its answer is not read yet

    def _open(self) -> smtplib.SMTP:
        if self.use_ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
        if self.username:
            connection.login(self.username, self.password or "")
        return connection

    def send(self, sender: str, recipient: str, raw: bytes) -> None:
        """Send one message and wait for the server's answer; raises :class:`DeliveryError`
        when it was not accepted."""
        self.start(sender, recipient, raw)
        self.finish()

    def start(self, sender: str, recipient: str, raw: bytes) -> None:
        """Hand one message over (envelope, then content) without reading the server's
        answer to it, which :meth:`finish` reads: the outbox composes its next message while
        the server checks this one. Raises :class:`DeliveryError` when the envelope is
        refused. These are the steps of ``smtplib.SMTP.sendmail``, which waits instead."""
        if self.answer_due:  # its answer would be read as this message's
            raise RuntimeError("finish() the message before starting the next")
        with self._delivery_errors():
            if self.connection is None:
                self.connection = self._open()
            connection = self.connection
            connection.ehlo_or_helo_if_needed()
            size = [f"size={len(raw)}"] if connection.has_extn("size") else []
            self._expect(connection.mail(sender, size), (250,))
            self._expect(connection.rcpt(recipient), (250, 251))
            connection.putcmd("data")
            self._expect(connection.getreply(), (354,))
            content = _LINE_START_DOT.sub(b"..", raw)  # RFC 5321 4.5.2: dot-stuffing
            if not content.endswith(b"\r\n"):
                content += b"\r\n"
            connection.send(content + b".\r\n")
            self.answer_due = True

    def finish(self) -> None:
        """Wait for the answer to the message :meth:`start` handed over (nothing to do when
        there is none); raises :class:`DeliveryError` when the server refused it."""
        if not self.answer_due:
            return
        self.answer_due = False
        with self._delivery_errors():
            if self.connection is None:
                raise smtplib.SMTPServerDisconnected("disconnected")
            self._expect(self.connection.getreply(), (250,))

    def _expect(self, answer: tuple[int, bytes], accepted: tuple[int, ...]) -> None:
        code, text = answer
        if code in accepted:
            return
        error = self._refusal(code, text)
        if not error.connection_lost and self.connection is not None:
            # Ready for the next message, as sendmail leaves it after a refusal.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.rset()
        raise error

    def _refusal(self, code: int, text: Any) -> DeliveryError:
        error = _answer_error(code, text)
        if code == 421:  # the server is closing the connection
            error.connection_lost = True
            self._drop()
        return error

    @contextlib.contextmanager
    def _delivery_errors(self) -> Iterator[None]:
        """smtplib's exceptions and socket errors as :class:`DeliveryError`; a lost connection
        is dropped, so the next message opens a new one."""
        try:
            yield
        except smtplib.SMTPResponseException as exc:  # an answer at connecting or logging in
            raise self._refusal(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPException as exc:  # before OSError: SMTPException is an OSError
            if not isinstance(exc, smtplib.SMTPServerDisconnected):
                raise DeliveryError(describe(None, exc), temporary=False) from None
            self._drop()
            # smtplib reports a read timeout as a disconnection; say which it was.
            reason = "timed out" if "timed out" in str(exc) else "disconnected"
            raise DeliveryError(f"connection failed: {reason}", temporary=True,
                                connection_lost=True) from None
        except OSError as exc:
            self._drop()
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise DeliveryError(
                f"connection failed: {reason}", temporary=True, connection_lost=True
            ) from None

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
        self.connection = None
        self.answer_due = False

    def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.quit()
        self._drop()


def _answer_error(code: int | None, text: Any) -> DeliveryError:
    temporary = code is None or 400 <= int(code) < 500
    return DeliveryError(describe(code, text), temporary=temporary)
