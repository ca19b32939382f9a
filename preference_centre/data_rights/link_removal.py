"""No live link leaves in an export or on the data page.

The messages we sent are part of what we hold about a person, so their subjects and bodies
are shown and exported; but a stored body still holds the signed link it carried (a reset,
erasure, download, address-change, preference or unsubscribe link), and an export is meant
to be handed to someone else (Art 20). Each such link is replaced by ``[link removed]``.

The links are found from the app's own URL map: every rule with a ``<token>`` part, so a
new token route is covered without touching this module. A link matches with any scheme and
host in front (``BASE_URL`` or an older one) or none, with doubled or percent-encoded
slashes (``%2Fp%2F…`` inside a query string), and up to the next space or quote, whatever
follows the token (``/p/<token>/export-request``, a query). A fixed address that shares a
prefix (``/p/new-link``) is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

from ..app_cache import cached

MARKER = "[link removed]"
_SLASHES = r"(?:/|%2[Ff])+"
_HOST = r"(?:[A-Za-z][A-Za-z0-9+.-]*:(?://|%2[Ff]%2[Ff])[^\s/\"'<>]*)?"
# Runs to the next space, quote or bracket, and never ends on sentence punctuation (a signed
# token ends in a letter, digit, ``-`` or ``_``), so "open /reset/abc." keeps its full stop.
_REST = r"[^\s\"'<>()\[\]]*[^\s\"'<>()\[\].,;:!?]"


@dataclass(frozen=True)
class LinkRemover:
    pattern: re.Pattern[str]
    fixed_paths: frozenset[str]

    def remove(self, text: str | None) -> str | None:
        if not text or ("/" not in text and "%2" not in text):
            return text
        return self.pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        path = re.sub(_SLASHES, "/", match.group("path"))
        return match.group(0) if path in self.fixed_paths else MARKER


def _build() -> LinkRemover:
    rules = list(current_app.url_map.iter_rules())
    prefixes = sorted({rule.rule.split("<token>")[0] for rule in rules
                       if "token" in rule.arguments}, key=len, reverse=True)
    alternatives = "|".join(_SLASHES.join(re.escape(part) for part in prefix.split("/"))
                            for prefix in prefixes)
    pattern = re.compile(rf"{_HOST}(?P<path>(?:{alternatives}){_REST})")
    return LinkRemover(pattern, frozenset(rule.rule for rule in rules if not rule.arguments))


def remover() -> LinkRemover:
    """The app's remover, built once from its URL map."""
    return cached(current_app, "data_rights.link_remover", _build)


def remove_links(text: str | None) -> str | None:
    """``text`` with every link to a token route replaced by ``[link removed]``."""
    return remover().remove(text)
