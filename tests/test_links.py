"""The links put into messages open their page under BASE_URL (its path included), for the
person and message they were made for, whatever the token holds, and follow a changed
BASE_URL."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from preference_centre import links, tokens


@pytest.mark.app_config(BASE_URL="https://prefs.example.com/centre")
@pytest.mark.parametrize("topic, ref", [("offers", 41), ("*", "erasure"), ("offers", "batch 7")])
def test_a_one_click_link_opens_the_one_click_page_for_its_person(app, topic, ref):
    url = links.one_click_link(7, "email", topic, ref)
    assert url.startswith("https://prefs.example.com/centre/u/")
    path = unquote(urlsplit(url).path).removeprefix("/centre")  # as a server decodes it
    endpoint, values = app.url_map.bind("prefs.example.com").match(path, method="POST")
    assert endpoint == links.ONE_CLICK
    assert tokens.read_unsubscribe_token(values["token"]) == (7, "email", topic, str(ref))


def test_links_follow_a_changed_base_url(app):
    app.config["BASE_URL"] = "https://one.example.com"
    assert links.preference_link(3).startswith("https://one.example.com/p/3.")
    app.config["BASE_URL"] = "https://two.example.com/x"
    assert links.preference_link(3).startswith("https://two.example.com/x/p/3.")
