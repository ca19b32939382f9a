"""Signed links never reach a log.

A link token is the key to someone's choices (``/u/``, ``/p/``) or account (``/verify/``,
``/reset/``), and it travels in the URL, which servers log: Werkzeug's development server
logs every request line, Gunicorn's access log does when it is switched on, and Flask logs
the path of a request that failed. A filter on those loggers replaces each token with
``[token]`` before any handler sees the record, e.g. ``POST /u/[token] HTTP/1.1``.

The token addresses are read from the app's own URL map (every rule with a ``<token>``
part), so a new token route is covered without touching this module. A token inside a query
string, percent-encoded (``?next=%2Fp%2F…``), with doubled slashes (``/p//…``, which Werkzeug
redirects), with escaped letters in the address (``/%70/…`` routes to ``/p/``) or with escaped
characters (``*`` sent as ``%2A``) is caught too, and so is one in the text of a logged
traceback. Email addresses (``?email=ada%40example.com``) become ``[email]``.

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
EMAIL_MASK = "[email]"
# A filter runs in the server worker for every request, so its cost must not depend on what a
# client sends: each pattern is linear (every repeat possessive, each step decided by one
# character), and a line is examined up to this length only. The rest of a longer line is
# left out of the log, not passed through unexamined: no real request line is this long.
MAX_LINE = 32 * 1024
SEPARATOR = "(?:/|%2F)"  # with IGNORECASE, also %2f
# The token runs to the next separator, raw or escaped (/ ? # & as %2F %3F %23 %26); other
# escapes are part of it.
VALUE = r"(?:[^/?#&\s\"'%]|%(?!2F|3F|23|26)[0-9A-F]{2})++"
# A word holding @ or %40 (ada%2Bnews%40example.com) is masked whole: a run of these
# characters (see ``_mask_emails``).
_WORD_CHAR = r"[\w.%+\-@!#$*^`{|}~]"
WORD_RUN = re.compile(_WORD_CHAR + "*+")  # from a position to the end of its word, maybe empty
EMAIL_WORD = re.compile(_WORD_CHAR + "++")  # one whole word
AT = re.compile(r"@|%40")
ESCAPES = re.compile(r"%([0-9A-Fa-f]{2})")
SLASHES = re.compile(r"/{2,}")


def _spelling(prefix: str) -> str:
    """A pattern for ``prefix`` as Werkzeug would route it: any character may come
    percent-escaped, letters in either case, each separator doubled."""
    parts = []
    for char in prefix:
        if char == "/":
            parts.append(SEPARATOR + "++")
        else:
            codes = "|".join(sorted({f"{ord(c):02X}" for c in (char.lower(), char.upper())}))
            parts.append(f"(?:{re.escape(char)}|%(?:{codes}))")
    return "".join(parts)


def _decoded(text: str) -> str:
    """The path Werkzeug routes: escapes decoded, repeated slashes merged."""
    return SLASHES.sub("/", ESCAPES.sub(lambda m: chr(int(m.group(1), 16)), text))


class TokenRedactor(logging.Filter):
    """Rewrites a record's message with every link token and email address masked; never
    drops a record."""

    def __init__(self, prefixes: list[str], static_paths: set[str]) -> None:
        super().__init__()
        # One separator leads each alternative (the search tries it at each position); the
        # rest of each prefix is spelled out after it.
        alternatives = "|".join(_spelling(prefix[1:]) for prefix in prefixes)
        self.pattern = re.compile(rf"({SEPARATOR}(?:{alternatives}))({VALUE})", re.IGNORECASE)
        self.static_paths = static_paths

    def redact(self, text: str) -> str:
        if len(text) <= MAX_LINE:
            return self._redact_line(text)
        return "\n".join(self._redact_line(line) for line in text.split("\n"))

    def _redact_line(self, line: str) -> str:
        tail = ""
        if len(line) > MAX_LINE:
            tail = f"[{len(line) - MAX_LINE} more characters not logged]"
            line = line[:MAX_LINE]
        return _mask_emails(self.pattern.sub(self._mask, line)) + tail

    def _mask(self, match: re.Match[str]) -> str:
        prefix, value = match.group(1), match.group(2)
        if _decoded(prefix + value) in self.static_paths:
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


def _mask_emails(line: str) -> str:
    """``line`` with each word that holds @ or %40 replaced by ``EMAIL_MASK``. Only the part
    from the word of the first @ to the word of the last is read word by word (a request
    line holds one or two addresses); its start is found by reading the line backwards."""
    first = AT.search(line)
    if first is None:
        return line
    start = len(line) - WORD_RUN.match(line[::-1], len(line) - first.start()).end()
    last = max(line.rfind("@") + 1, line.rfind("%40") + 3)
    end = WORD_RUN.match(line, last).end()
    return line[:start] + EMAIL_WORD.sub(_mask_email, line[start:end]) + line[end:]


def _mask_email(match: re.Match[str]) -> str:
    word = match.group(0)
    return EMAIL_MASK if "@" in word or "%40" in word else word


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
