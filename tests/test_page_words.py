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


def test_the_erasure_plan_never_lists_a_category_as_both_erased_and_kept(
        client: Any, auth: Any, make_person: Any) -> None:
    auth.login(make_person())
    html = client.get("/account/delete").get_data(as_text=True)
    gone = html.split("What will be erased", 1)[1].split("</ul>", 1)[0]
    kept = html.split("What we keep", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", gone, re.S)
    # Orders: what is erased (the product text) and what is kept, precisely.
    assert "<li>Products and services ordered</li>" not in gone
    assert any(i.startswith("Products and services ordered: what you ordered") for i in items)
    assert all(word in kept for word in ("reference", "order date", "amount"))


def test_the_data_page_says_stored_codes_in_plain_words(client: Any, auth: Any,
                                                        make_person: Any) -> None:
    from preference_centre.consent import Actor, record_changes
    from preference_centre.extensions import db
    from preference_centre.models import OutboxMessage

    person = make_person(gender="female")
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    record_changes(person.id, {"email:offers": False}, Actor(source="one_click",
                                                             actor_type="person"))
    db.session.add(OutboxMessage(person_id=person.id, channel="email",
                                 purpose="service_messages", kind="export_ready",
                                 message_id="<t1@example.com>", status="sent"))
    db.session.commit()
    auth.login(person)
    html = client.get("/account/data").get_data(as_text=True)
    for code in ("email:offers", "one_click", "export_ready", "service_messages",
                 ">female<"):
        assert code not in html, code
    for words in ("Offers by email", "One-click unsubscribe", "Your data download is ready",
                  "Messages about your orders", ">Female<"):
        assert words in html, words
    # A person who never pressed "I have read it" is not told a bare "—" that the history
    # below, with its notice versions, seems to contradict.
    assert "None confirmed yet" in html


def test_the_not_found_page_speaks_human_and_says_where_to_go(client: Any) -> None:
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "requested URL was not found" not in html
    assert "mistyped" in html
    assert 'href="/p/new-link"' in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_dev_mail_page_lists_subject_recipient_and_time(app: Any, client: Any,
                                                            tmp_path: Any) -> None:
    from pathlib import Path

    folder = Path(app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20261201-151000-0001.eml").write_bytes(
        b"Subject: Confirm your email address\r\nTo: ada@example.com\r\n"
        b"Date: Tue, 01 Dec 2026 15:10:00 +0000\r\n\r\nHello\r\n")
    app.debug = True
    html = client.get("/dev/mail").get_data(as_text=True)
    assert "Confirm your email address" in html and "ada@example.com" in html
    assert "1 Dec 2026, 15:10:00" in html
    assert ">20261201-151000-0001.eml<" not in html


def test_listing_api_keys_when_there_are_none_says_so(runner: Any) -> None:
    result = runner.invoke(args=["api-key", "list"])
    assert result.exit_code == 0
    assert result.output.startswith("No API keys.")
