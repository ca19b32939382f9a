"""The API other company systems call before they contact anyone. Pages."""

from . import bp  # noqa: F401
