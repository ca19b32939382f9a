"""Plain helpers for the API tests."""

# What another system sends with a choice it captured (a grant needs it: consent/rules.py).
EVIDENCE = {"captured_at": "2020-01-01T09:00:00Z", "collection_point": "shop checkout",
            "wording": "Tick to get offers from us by email."}
