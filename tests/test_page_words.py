"""Words on the pages as a person reads them: error summaries, the way to manage choices
without an account, and forms that say things once."""

from __future__ import annotations

import re
from typing import Any


def summary_items(html: str) -> list[str]:
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>",
                                                                        summary, re.S)]


def test_an_error_summary_item_is_the_message_alone_linking_to_its_field(
        client: Any, auth: Any, make_person: Any) -> None:
    auth.login(make_person())
    response = client.post("/account/data/object", data={"purpose": ""})
    html = response.get_data(as_text=True)
    assert summary_items(html) == ["Choose what you object to."]
    assert 'href="#purpose-0"' in html and 'id="purpose-0"' in html


def test_every_page_a_visitor_starts_from_leads_to_choices_without_an_account(
        client: Any) -> None:
    for path in ("/", "/login"):
        html = client.get(path).get_data(as_text=True)
        main = html.split('<main', 1)[1].split('</main>', 1)[0]
        assert 'href="/p/new-link"' in main, path
    # The footer carries it on every page too.
    assert "Manage your choices without an account" in client.get("/privacy").get_data(
        as_text=True)


def test_the_stop_marketing_card_leads_to_the_new_link_form(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    card = html.split("<h2>Stop marketing</h2>", 1)[1].split("</section>", 1)[0]
    assert 'href="/p/new-link"' in card


def test_a_checkbox_hint_sits_under_its_label(client: Any) -> None:
    html = client.get("/login").get_data(as_text=True)
    box = html.split('class="field checkbox-field', 1)[1].split("</div>\n  </div>", 1)[0]
    label_at, hint_at = box.index("<label"), box.index('class="hint"')
    assert label_at < hint_at and 'class="checkbox-text"' in box
    assert 'aria-describedby="remember-hint"' in box
