"""One SMTP connection per batch, with a timeout, and SMTP answers sorted into outcomes.

4xx answers and connection trouble are temporary (retry later); 5xx answers are permanent.
Error texts are kept short and stripped of addresses: they end up on the outbox row.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from typing import Any

_ADDRESS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")


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
        """Send one message; raises :class:`DeliveryError` when it was not accepted."""
        try:
            if self.connection is None:
                self.connection = self._open()
            self.connection.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (None, "recipient refused"))
            raise _answer_error(code, text) from None
        except smtplib.SMTPResponseException as exc:
            error = _answer_error(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code == 421:  # the server is closing the connection
                error.connection_lost = True
                self._drop()
            raise error from None
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

    def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.quit()
        self._drop()


def _answer_error(code: int | None, text: Any) -> DeliveryError:
    temporary = code is None or 400 <= int(code) < 500
    return DeliveryError(describe(code, text), temporary=temporary)
