"""Retention: erase everyone RETENTION_MONTHS after their last purchase and last visit (the
privacy notice's promise), warn them RETENTION_WARNING_DAYS before, and purge registrations
and sign-ups never confirmed.

Erasure uses the same set-based service as a person's own request (``erase_people``). It
works in bounded batches, each its own short transaction, so the site's writers are never
held up for long (SQLite has one writer at a time); a killed run leaves only whole batches
done and simply continues when run again. Two runs at once do not collide: on PostgreSQL
each batch locks its people rows with ``FOR UPDATE SKIP LOCKED``; on SQLite each batch takes
the write lock before choosing its rows.

People whose processing is restricted (Art 18) are held, not erased: a restriction is often
asked for precisely so that data is kept for a legal claim; the privacy officer decides.
"""
