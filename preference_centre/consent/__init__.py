"""Consent: the purpose catalogue, the ledger, and the contact decision everyone calls."""

from ..privacy.versions import ensure_current_notice
from .catalogue import (
    Purpose,
    all_purposes,
    gpc_purposes,
    marketing_purposes,
    purposes_from_config,
    stop_all_purposes,
)
from .decisions import Decision, audience, may_contact, reachable
from .ledger import (
    Actor,
    LedgerEvent,
    UnknownPerson,
    UnknownPurpose,
    current_notice_version,
    current_state,
    history,
    record_change,
    record_changes,
)
from .rules import Evidence, GrantRefused, check_grants, lift_suppression

__all__ = [
    "Actor", "Decision", "Evidence", "GrantRefused", "LedgerEvent", "Purpose", "UnknownPerson",
    "UnknownPurpose",
    "all_purposes", "audience", "reachable",
    "current_notice_version", "current_state", "history", "marketing_purposes", "may_contact",
    "purposes_from_config", "record_change", "record_changes", "gpc_purposes",
    "stop_all_purposes", "ensure_current_notice", "check_grants", "lift_suppression",
]
