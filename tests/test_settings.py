"""Environment variables take the type of their setting's default, declared once in DEFAULTS."""

from __future__ import annotations

import pytest

from preference_centre import create_app
from preference_centre.config import DEFAULTS, ConfigError, parse_environment


@pytest.mark.parametrize(("name", "raw", "expected"), [
    ("MAIL_PORT", "2525", 2525),                          # int default
    ("RETENTION_MONTHS", " 24 ", 24),
    ("MAIL_TIMEOUT", "2.5", 2.5),                         # float default
    ("MAIL_USE_TLS", "1", True),                          # bool default
    ("MAIL_USE_TLS", "TRUE", True),
    ("MAIL_USE_TLS", "yes", True),
    ("MAIL_USE_TLS", "On", True),
    ("KEEP_ORDERS_FOR_ACCOUNTING", "0", False),
    ("KEEP_ORDERS_FOR_ACCOUNTING", "false", False),
    ("KEEP_ORDERS_FOR_ACCOUNTING", "no", False),
    ("KEEP_ORDERS_FOR_ACCOUNTING", " off ", False),
    ("SECRET_KEY_FALLBACKS", "old-one, old-two,,", ["old-one", "old-two"]),  # list default
    ("DATA_ENCRYPTION_KEYS", "newest,older", ["newest", "older"]),
    ("API_RATE_LIMIT", "5 per minute", "5 per minute"),   # str default
    ("DKIM_SELECTOR", "mail2024", "mail2024"),            # None default: text
    ("MAIL_PASSWORD", "p@ss, word", "p@ss, word"),
    ("WTF_CSRF_TIME_LIMIT", "3600", 3600),                # None default with a declared type
])
def test_an_environment_value_takes_the_type_of_its_default(name, raw, expected):
    assert parse_environment({name: raw}) == {name: expected}


@pytest.mark.parametrize(("name", "raw", "says"), [
    ("MAIL_USE_SSL", "maybe", "one of 1/0, true/false, yes/no, on/off"),
    ("MAIL_USE_TLS", "", "one of 1/0, true/false, yes/no, on/off"),
    ("MAIL_PORT", "25a", "a whole number"),
    ("MAIL_TIMEOUT", "soon", "a number"),
    ("WTF_CSRF_TIME_LIMIT", "never", "a whole number"),
])
def test_a_bad_value_is_refused_naming_the_variable(name, raw, says):
    with pytest.raises(ConfigError, match=f"^{name} must be {says}") as refused:
        parse_environment({name: raw})
    assert "\n" not in str(refused.value)


def test_every_setting_with_a_plain_default_can_be_spelled_in_the_environment():
    # A setting added to DEFAULTS is read from the environment without being declared again.
    spelled = {name: _spelling(value) for name, value in DEFAULTS.items()
               if value is not None and not isinstance(value, dict) and name != "SHARING_PARTNERS"}
    assert parse_environment(spelled) == {name: DEFAULTS[name] for name in spelled}


def test_structured_settings_are_left_to_the_instance_config():
    assert parse_environment({"SHARING_PARTNERS": "a,b", "SQLALCHEMY_ENGINE_OPTIONS": "x"}) == {}


def test_the_app_refuses_to_start_with_an_unknown_yes_or_no(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MAIL_USE_TLS", "sometimes")
    with pytest.raises(ConfigError, match="MAIL_USE_TLS must be one of"):
        create_app()


def _spelling(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ",".join(value)
    return str(value)
