"""Notices you can prove: every published version keeps its text, readable at /privacy/V, and
the ledger names the version on the page the person submitted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from preference_centre import tokens
from preference_centre.consent import Actor, history, record_change
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, NoticeVersion
from preference_centre.people import find_person_by_email
from tests.helpers_messaging import body_text

FIELD = re.compile(r'name="notice_version" value="([^"]*)"')


def publish(runner, version, *extra):
    result = runner.invoke(args=["notice", "publish", "--version", version,
                                 "--summary", f"Version {version}.", *extra])
    assert result.exit_code == 0, result.output
    return result


def shown_on(html: str) -> set[str]:
    """The notice versions the page's forms carry."""
    return set(FIELD.findall(html))


def stored_text(version: str) -> str:
    return db.session.execute(
        db.select(NoticeVersion.body).where(NoticeVersion.version == version)
    ).scalar_one()


# The text of each version ------------------------------------------------------------------

def test_the_first_version_keeps_the_text_people_were_shown(client, make_person):
    person = make_person()
    record_change(person.id, "email:offers", True, Actor(source="form"))  # fresh install
    db.session.commit()
    assert "The three reasons we use your information" in stored_text("1")
    page = client.get("/privacy/1").get_data(as_text=True)
    assert "The three reasons we use your information" in page


def test_a_published_file_is_shown_exactly_as_published(runner, client, tmp_path,
                                                        frozen_clock):
    html_file = tmp_path / "notice-2.html"
    html_file.write_text("<h2>Our new notice</h2>\n<p>We now use a <b>courier</b>.</p>",
                         encoding="utf-8")
    frozen_clock.advance(days=1)
    publish(runner, "2", "--material", "--file", str(html_file))
    text_file = tmp_path / "notice-3.txt"
    text_file.write_text("Plain words <not markup>.\n\nA second paragraph.", encoding="utf-8")
    frozen_clock.advance(days=1)
    publish(runner, "3", "--file", str(text_file))
    html_file.write_text("<p>Edited afterwards.</p>", encoding="utf-8")  # changes nothing

    second = client.get("/privacy/2").get_data(as_text=True)
    assert "<h2>Our new notice</h2>\n<p>We now use a <b>courier</b>.</p>" in second
    assert "Edited afterwards" not in second
    assert "It has since been replaced" in second
    third = client.get("/privacy/3").get_data(as_text=True)
    assert "<p>Plain words &lt;not markup&gt;.</p>\n<p>A second paragraph.</p>" in third
    first = client.get("/privacy/1").get_data(as_text=True)
    assert "The three reasons we use your information" in first

    current = client.get("/privacy").get_data(as_text=True)
    assert "Version 3, in force since 26 November 2026." in current
    assert "A second paragraph." in current
    for version in ("1", "2", "3"):
        assert f'href="/privacy/{version}"' in current


def test_without_a_file_the_draft_text_is_published_and_kept(app, runner, client):
    draft = app.instance_path + "/privacy_notice.txt"
    import os

    os.makedirs(app.instance_path, exist_ok=True)
    client.get("/privacy")  # version 1: the shipped text
    with open(draft, "w", encoding="utf-8") as handle:
        handle.write("Words of version two.")
    publish(runner, "2")
    with open(draft, "w", encoding="utf-8") as handle:
        handle.write("A draft nobody published.")
    assert "<p>Words of version two.</p>" in client.get("/privacy/2").get_data(as_text=True)
    assert "nobody published" not in client.get("/privacy").get_data(as_text=True)
    assert "The three reasons" in client.get("/privacy/1").get_data(as_text=True)


@pytest.mark.parametrize("statement", [
    "UPDATE notice_versions SET body = '<p>Something else.</p>'",
    "DELETE FROM notice_versions",
])
def test_the_database_refuses_to_edit_a_published_notice(client, statement):
    client.get("/privacy")
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert "The three reasons we use your information" in stored_text("1")


def test_an_unknown_version_is_a_not_found_page(client):
    response = client.get("/privacy/41")
    assert response.status_code == 404
    assert "never published a privacy notice version called &#39;41&#39;" in (
        response.get_data(as_text=True))
    assert client.get("/privacy/1%00").status_code == 404  # no version has a NUL byte


@pytest.mark.parametrize("args, reason", [
    (["--version", "seen"], "may not be 'seen'"),
    (["--version", "2/b"], "only letters, digits"),
    (["--version", "2", "--file", "/nonexistent/notice.html"], "cannot read"),
])
def test_a_publish_that_cannot_be_kept_exits_non_zero(runner, args, reason):
    result = runner.invoke(args=["notice", "publish", "--summary", "x", *args])
    assert result.exit_code != 0 and reason in result.output
    assert db.session.execute(db.select(db.func.count(NoticeVersion.id))).scalar_one() <= 1


# The version on the page is the version recorded -------------------------------------------

def test_the_preference_form_records_the_version_it_showed(client, runner, make_person, auth,
                                                           frozen_clock):
    person = make_person()
    auth.login(person)
    page = client.get("/account/preferences").get_data(as_text=True)
    assert shown_on(page) == {"1"}
    frozen_clock.advance(hours=1)
    publish(runner, "2")  # published while the page was open
    client.post("/account/preferences", data={"action": "save", "consent": ["email:offers"],
                                              "notice_version": "1"})
    [event] = history(person.id)
    assert event.notice_version == "1"
    assert shown_on(client.get("/account/preferences").get_data(as_text=True)) == {"2"}


@pytest.mark.parametrize("version", ["99", "", "1' OR 1=1"])
def test_a_tampered_version_is_refused_and_nothing_is_written(client, make_person, auth,
                                                              version):
    person = make_person()
    auth.login(person)
    client.get("/privacy")
    response = client.post("/account/preferences", data={
        "action": "save", "consent": ["email:offers"], "notice_version": version,
    }, follow_redirects=True)
    assert "privacy notice version we have never published" in response.get_data(as_text=True)
    assert history(person.id) == []


def test_the_preference_link_page_records_the_version_it_showed(app, client, runner,
                                                                make_person, frozen_clock):
    person = make_person()
    path = f"/p/{tokens.make_preference_token(person.id)}"
    assert shown_on(client.get(path).get_data(as_text=True)) == {"1"}
    frozen_clock.advance(hours=1)
    publish(runner, "2")
    assert shown_on(client.get(path).get_data(as_text=True)) == {"2"}  # not a stale page
    client.post(path, data={"action": "stop_all_confirmed", "notice_version": "1"})
    assert {e.notice_version for e in history(person.id)} == {"1"}
    client.post(path, data={"action": "save", "consent": ["email:offers"],
                            "notice_version": "7"})
    assert db.session.execute(
        db.select(db.func.count(ConsentEvent.id)).where(ConsentEvent.purpose == "email:offers",
                                                        ConsentEvent.new_value.is_(True))
    ).scalar_one() == 0


def test_the_sign_up_form_carries_its_version_to_the_confirmation(client, runner, mailbox,
                                                                  frozen_clock):
    from preference_centre.messaging import deliver_due

    assert shown_on(client.get("/signup").get_data(as_text=True)) == {"1"}
    frozen_clock.advance(hours=1)
    publish(runner, "2")
    response = client.post("/signup", data={"email": "lin@example.com", "name": "",
                                            "topics": ["email:offers"], "notice_version": "1"})
    assert response.status_code == 303
    deliver_due()
    path = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)",
                     body_text(mailbox.last_to("lin@example.com"))).group(1)
    client.post(path)
    [event] = history(find_person_by_email("lin@example.com").id)
    assert (event.source, event.notice_version) == ("signup", "1")


@pytest.mark.parametrize("version", ["9", "1\x00", "1" * 500])
def test_a_sign_up_naming_an_unknown_version_is_refused(client, version):
    # A NUL byte or an overlong name would reach PostgreSQL as an error, not as no row.
    response = client.post("/signup", data={"email": "lin@example.com", "name": "",
                                            "topics": ["email:offers"],
                                            "notice_version": version})
    assert response.status_code == 400
    assert "privacy notice version we have never published" in response.get_data(as_text=True)
    assert find_person_by_email("lin@example.com") is None


def test_cookie_choices_record_the_version_the_banner_showed(client, runner, make_person,
                                                             auth, frozen_clock):
    person = make_person()
    auth.login(person)
    assert shown_on(client.get("/").get_data(as_text=True)) == {"1"}  # the banner
    assert shown_on(client.get("/cookies").get_data(as_text=True)) == {"1"}
    frozen_clock.advance(hours=1)
    publish(runner, "2")
    client.post("/cookies", data={"choice": "accept_all", "notice_version": "1"})
    events = history(person.id)
    assert events and {e.notice_version for e in events} == {"1"}

    for version in ("x", "1\x00"):
        response = client.post("/cookies", data={"choice": "reject_all",
                                                 "notice_version": version})
        assert response.status_code == 303
        assert not any(h.startswith("cookie_choice=")
                       for h in response.headers.getlist("Set-Cookie"))
    assert len(history(person.id)) == len(events)


# The person's history links each choice to the text they saw -------------------------------

def test_the_history_and_the_data_page_link_to_the_notice_seen(client, runner, make_person,
                                                               auth, frozen_clock):
    person = make_person()
    auth.login(person)
    client.get("/privacy")
    frozen_clock.advance(hours=1)
    publish(runner, "2")
    client.post("/account/preferences", data={"action": "save", "consent": ["email:offers"],
                                              "notice_version": "1"})
    account = client.get("/account/preferences").get_data(as_text=True)
    assert '<a href="/privacy/1">privacy notice v1</a>' in account
    data_page = client.get("/account/data").get_data(as_text=True)
    assert '<a href="/privacy/1">Version 1</a>' in data_page
