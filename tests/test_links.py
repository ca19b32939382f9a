"""The links put into messages are the URL map's own addresses under BASE_URL, whatever the
token holds, and follow a changed BASE_URL."""

from __future__ import annotations

import pytest

from preference_centre import links, tokens


@pytest.mark.app_config(BASE_URL="https://prefs.example.com/centre")
@pytest.mark.parametrize("topic, ref", [("offers", 41), ("*", "cli test/1")])
def test_a_one_click_link_is_the_address_the_url_map_builds(app, topic, ref):
    token = tokens.make_unsubscribe_token(7, "email", topic, ref)
    expected = links.external_url(links.ONE_CLICK, token=token)
    assert links.one_click_link(7, "email", topic, ref) == expected
    assert expected.startswith("https://prefs.example.com/centre/u/")


def test_links_follow_a_changed_base_url(app):
    app.config["BASE_URL"] = "https://one.example.com"
    assert links.preference_link(3).startswith("https://one.example.com/p/3.")
    app.config["BASE_URL"] = "https://two.example.com/x"
    assert links.preference_link(3).startswith("https://two.example.com/x/p/3.")
