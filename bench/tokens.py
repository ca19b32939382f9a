"""Unsubscribe-link signing and verification per second, against raw ``hmac`` on the same
payload (the floor any signer pays), and against an itsdangerous ``Signer`` with its defaults
built per call (what ``tokens.py`` would cost without the signer it keeps on the app). The
preference link (a ``TimestampSigner``, on every message too) is shown for comparison.

    .venv/bin/python bench/tokens.py

Target: >= 0.3 of raw HMAC for both signing and verifying, still through itsdangerous.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itsdangerous import Signer  # noqa: E402

from preference_centre import create_app, tokens  # noqa: E402

ROUNDS = 20_000
TARGET = 0.3
LIFETIME = timedelta(days=30)


def rates(functions: dict[str, Callable[[int], object]], rounds: int = ROUNDS,
          repeats: int = 9) -> dict[str, float]:
    """Calls per second of each function, best of ``repeats`` runs taken in turn, so that a
    burst of other work on the machine hits every function alike."""
    best = dict.fromkeys(functions, 0.0)
    for _ in range(repeats):
        for name, function in functions.items():
            started = time.perf_counter()
            for i in range(rounds):
                function(i)
            best[name] = max(best[name], rounds / (time.perf_counter() - started))
    return best


def main() -> None:
    key = secrets.token_urlsafe(48)
    app = create_app({"TESTING": True, "SECRET_KEY": key,
                      "SECRET_KEY_FALLBACKS": [secrets.token_urlsafe(48)],
                      "EMAIL_INDEX_KEY": "i" * 40,
                      "DATA_ENCRYPTION_KEYS": ["x" * 43 + "="],
                      "DATABASE_URL": "sqlite://"})
    salt = tokens.SALTS["unsubscribe"]
    # itsdangerous's key derivation (django-concat), so raw HMAC signs the same bytes.
    derived = hashlib.sha1(salt.encode() + b"signer" + key.encode()).digest()  # noqa: S324
    payloads = [f"{100000 + i}.email.offers.{i}".encode() for i in range(1000)]
    with app.test_request_context():
        signed = [tokens.make_unsubscribe_token(100000 + i, "email", "offers", i)
                  for i in range(1000)]
        preference = [tokens.make_preference_token(100000 + i) for i in range(1000)]
        digests = [hmac.new(derived, p, hashlib.sha1).digest() for p in payloads]
        found = rates({
            "raw hmac sign": lambda i: hmac.new(derived, payloads[i % 1000],
                                                hashlib.sha1).digest(),
            "raw hmac verify": lambda i: hmac.compare_digest(
                digests[i % 1000], hmac.new(derived, payloads[i % 1000], hashlib.sha1).digest()),
            "tokens sign": lambda i: tokens.make_unsubscribe_token(100000 + i % 1000, "email",
                                                                   "offers", i % 1000),
            "tokens verify": lambda i: tokens.read_unsubscribe_token(signed[i % 1000]),
            "Signer per call sign": lambda i: Signer(key, salt=salt).sign(payloads[i % 1000]),
            "Signer per call verify": lambda i: Signer(key, salt=salt).unsign(signed[i % 1000]),
            "preference sign": lambda i: tokens.make_preference_token(100000 + i % 1000),
            "preference verify": lambda i: tokens.read_preference_token(preference[i % 1000],
                                                                        LIFETIME),
        })
    raw_sign, raw_verify = found["raw hmac sign"], found["raw hmac verify"]
    ours_sign, ours_verify = found["tokens sign"], found["tokens verify"]
    print(f"{'':24}{'per second':>12}{'of raw':>9}")
    for name, value in found.items():
        raw = raw_sign if name.endswith("sign") else raw_verify
        print(f"{name:24}{value:12,.0f}{value / raw:9.2f}")
    ok = ours_sign / raw_sign >= TARGET and ours_verify / raw_verify >= TARGET
    print(f"target >= {TARGET} of raw for both: {'meets target' if ok else 'BELOW TARGET'}")
    print(f"token length: {len(signed[0])} characters, e.g. {signed[0]}")


if __name__ == "__main__":
    main()
