"""What the registry deliberately leaves out, each with its reason: tables that hold nothing
about a person, and columns of registry tables that are neither shown nor exported.
``tests/test_data_rights_registry.py`` checks that every table and column is either in the
registry or here.
"""

# Tables that hold nothing about a person (or only keyed hashes kept on purpose): they are
# neither shown nor erased. A new table must go in the registry or here, with a reason.
NOT_PERSONAL_TABLES = {
    "notice_versions": "published privacy notices",
    "campaigns": "marketing templates, no recipients",
    "unsubscribe_feedback": "anonymous reasons for unsubscribing",
    "erasure_receipts": "proof of erasure: counts only",
    "suppressions": "keyed hashes that stop silent re-subscription after erasure",
    "staff_users": "staff accounts, not customers",
    "staff_sessions": "staff sign-ins, not customers",
    "staff_recovery_codes": "hashes of staff recovery codes",
    "staff_audit": "what staff did: record ids and actions, never customers' data",
    "console_counts": "the console's counts of people per purpose and reason",
    "console_weeks": "the console's weekly opt-in and opt-out counts",
    "api_keys": "keys of other company systems",
    "alembic_version": "schema version",
}

# Columns of registry tables that are not shown or exported, and why. Every other column
# must be a field of a source (the registry test checks), so nothing held is hidden.
HIDDEN_COLUMNS = {
    "*": {"id": "internal row number", "person_id": "the link to you"},
    "people": {"email_hash": "keyed look-up hash of your address",
               "phone_hash": "keyed look-up hash of your phone number",
               "consent_version": "internal counter"},
    "outbox": {"body_html": "the same message as the text version",
               "campaign_id": "internal", "message_id": "technical message identifier",
               "attempts": "delivery bookkeeping", "next_attempt_at": "delivery bookkeeping",
               "last_error": "delivery bookkeeping", "claimed_at": "delivery bookkeeping",
               "claimed_by": "delivery bookkeeping"},
    "consent_state": {"last_event_id": "internal"},
    "pacing_state": {"last_event_id": "internal"},
    "consent_events": {"actor_id": "which staff member or system (internal)",
                       "message_ref": "which message a link came from (internal)",
                       "erasure_ref": "empty until erasure",
                       "value_hash": "keyed hash of the address or number an event is about"},
    "login_sessions": {"key_hash": "a one-way hash of the sign-in key (a secret)"},
    "audit_events": {"actor_id": "which staff member (internal)"},
    "rights_requests": {"handled_by": "which staff member (internal)"},
}
