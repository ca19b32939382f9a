"""The suppression list: everyone who must not get marketing on a channel.

Two kinds of entry:

- people we still hold whom ``consent.audience`` leaves out for every marketing topic of the
  channel (no consent, withdrawn, objected, restricted, or their address is suppressed);
  membership comes from ``audience`` itself, so this list can never disagree with the
  decision that campaigns and the outbox make;
- keyed hashes from the ``suppressions`` table: what remains of erased people (and numbers
  that replied STOP). Only the hash is ever listed, never an address.

The API pages through it with a cursor; ``flask suppression export`` streams it as CSV.
"""
