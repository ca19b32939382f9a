"""Signed links never reach a log.

A link token is the key to someone's choices (``/u/``, ``/p/``) or account (``/verify/``,
``/reset/``), and it travels in the URL, which servers log: Werkzeug's development server
logs every request line, Gunicorn's access log does when it is switched on, and Flask logs
the path of a request that failed. A filter on those loggers replaces each token with
``[token]`` before any handler sees the record, e.g. ``POST /u/[token] HTTP/1.1``.

The token addresses are read from the app's own URL map (every rule with a ``<token>``
part), so a new token route is covered without touching this module. A token inside a query
string, percent-encoded (``?next=%2Fp%2F…``), with doubled slashes (``/p//…``, which Werkzeug
redirects) or with escaped characters (``*`` sent as ``%2A``) is caught too, and so is one in
the text of a logged traceback.

The filter sits on the server loggers, on ``app.logger`` and on every ``preference_centre``
module logger that exists when the app is made (a logger's filters do not see records that
come up from its children). The modules log counts and kinds, never links.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
MASK = "[token]"


class TokenRedactor(logging.Filter):
    """Rewrites a record's message with every link token masked; never drops a record."""

    def __init__(self, prefixes: list[str], static_paths: set[str]) -> None:
        super().__init__()
        # "/u/" also matches "%2Fu%2F" and "//u//"; the token runs to the next separator,
        # raw or escaped (/ ? # & as %2F %3F %23 %26); other escapes are part of it.
        alternatives = "|".join(
            re.escape(prefix).replace("/", "(?:/|%2[Ff])+") for prefix in prefixes)
        value_chars = r"(?:[^/?#&\s\"'%]|%(?!2[Ff]|3[Ff]|23|26)[0-9A-Fa-f]{2})+"
        self.pattern = re.compile(rf"((?:{alternatives}))({value_chars})")
        self.static_paths = static_paths

    def redact(self, text: str) -> str:
        return self.pattern.sub(self._mask, text)

    def _mask(self, match: re.Match[str]) -> str:
        prefix, value = match.group(1), match.group(2)
        plain = re.sub(r"(?:/|%2[Ff])+", "/", prefix)
        if plain + value in self.static_paths:
            return match.group(0)  # a fixed address such as /p/new-link
        return prefix + MASK

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


_TRACEBACKS = logging.Formatter()


def install(app: Flask) -> TokenRedactor:
    """Put a redactor for ``app``'s token routes on the server loggers, ``app.logger`` and
    the package's module loggers, replacing one an earlier app put there."""
    rules = list(app.url_map.iter_rules())
    prefixes = sorted({rule.rule.split("<token>")[0] for rule in rules
                       if "token" in rule.arguments}, key=len, reverse=True)
    static_paths = {rule.rule for rule in rules if not rule.arguments}
    redactor = TokenRedactor(prefixes, static_paths)
    modules = [name for name in logging.root.manager.loggerDict
               if name.startswith(f"{app.logger.name}.")]
    for name in (*LOGGERS, app.logger.name, *modules):
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, TokenRedactor)]:
            logger.removeFilter(old)
        logger.addFilter(redactor)
    return redactor
