"""The one per-app cache: each app builds its own value once, builds it again when what it
was made from changes, and forgets it when told to."""

from __future__ import annotations

from flask import Flask

from preference_centre.app_cache import cached, invalidate


def counting_builder() -> tuple[list[int], object]:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    return builds, build


def test_a_value_is_built_once_per_app_and_each_app_has_its_own() -> None:
    first, second = Flask("first"), Flask("second")
    builds, build = counting_builder()
    assert cached(first, "figure", build) == 1
    assert cached(first, "figure", build) == 1
    assert cached(second, "figure", build) == 2
    assert len(builds) == 2


def test_invalidate_forgets_one_value_or_all_of_them() -> None:
    app = Flask("app")
    _builds, build = counting_builder()
    cached(app, "one", build)
    cached(app, "two", build)
    invalidate(app, "one")
    assert cached(app, "one", build) == 3
    assert cached(app, "two", build) == 2
    invalidate(app)
    assert cached(app, "two", build) == 4
    invalidate(Flask("never used"))  # nothing cached yet: nothing to forget
