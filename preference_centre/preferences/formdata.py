"""Reading the preference form: the posted boxes as the answer they state."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..consent.catalogue import CONSENT, LEGITIMATE_INTERESTS, Purpose
from ..consent.pacing import PACE_PREFIX
from .services import InvalidChoice, offered_purposes


def desired_from_form(purposes: dict[str, Purpose], scope: str, consented: Iterable[str],
                      objected: Iterable[str],
                      hidden: frozenset[str] = frozenset()) -> dict[str, bool]:
    """The full answer the form states: boxes not sent are refused (consent) or not objected
    to (legitimate interests). Purposes in ``hidden`` were not on the page, so the answer
    says nothing of them (a stored objection stays as it is). Keys that this form does not
    offer raise InvalidChoice."""
    offered = {key: p for key, p in offered_purposes(purposes, scope).items()
               if key not in hidden}
    consented, objected = set(consented), set(objected)
    wrong = {k for k in consented if getattr(offered.get(k), "basis", None) != CONSENT}
    wrong |= {k for k in objected if getattr(offered.get(k), "basis", None)
              != LEGITIMATE_INTERESTS}
    if wrong:
        raise InvalidChoice(", ".join(sorted(wrong)))
    return {
        key: (key in consented) if p.basis == CONSENT else (key not in objected)
        for key, p in offered.items()
    }


def form_keys(values: Any, name: str) -> list[str]:
    """The posted values of a repeated field, tolerant of a plain dict in tests."""
    getter = getattr(values, "getlist", None)
    if getter is not None:
        return [str(v) for v in getter(name)]
    raw = values.get(name) or []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def paces_from_form(values: Any) -> dict[str, str]:
    """The paces posted (``pace:email:offers`` -> ``weekly``), purpose key -> pace; a form
    without them (an older page, a script) changes no pace."""
    return {name.removeprefix(PACE_PREFIX): str(values.get(name))
            for name in values if name.startswith(PACE_PREFIX)}
