"""The marketing and privacy console. Pages."""

from . import bp  # noqa: F401
