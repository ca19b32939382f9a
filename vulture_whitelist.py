"""Names `make lint`'s vulture run would call unused, though a caller it cannot see uses them.

Vulture runs at 90% confidence: only findings it is sure of (unused imports and arguments,
unreachable code). Below that it would list every view, CLI command and template-only
property, which Flask, Click and Jinja reach by decorator or by name, and the list would
hide the real finds. Vulture matches by name, so each line below marks one name as used;
each says who uses it.
"""
# ruff: noqa: F821, B018

proxy  # database.postgresql.drop_if_server_hung_up: SQLAlchemy's pool "checkout" event passes it
signum  # messaging.cli request_stop: signal.signal handlers are called (signum, frame)
frame  # messaging.cli request_stop: that handler's second argument
mtime  # messaging.dkim._private_key: part of the lru_cache key, so a new key file is read
server  # devmail handle_DATA: aiosmtpd calls handlers with (server, session, envelope)
