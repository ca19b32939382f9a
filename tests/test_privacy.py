"""``/privacy``: the notice in force with its version, new versions, the material-change banner."""

from __future__ import annotations

import pytest

from preference_centre.consent import ensure_current_notice
from preference_centre.extensions import db
from preference_centre.models import NoticeVersion


def test_the_notice_in_force_is_shown_with_its_version(client, frozen_clock):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Version 1, in force since 24 November 2026." in html
    assert "The three reasons we use your information" in html
    assert "36 months" in html


def test_publishing_a_version_is_a_new_row(runner, client, frozen_clock):
    frozen_clock.advance(days=1)
    result = runner.invoke(args=["notice", "publish", "--version", "2", "--material",
                                 "--summary", "We now work with a delivery partner."])
    assert result.exit_code == 0, result.output
    assert "Published privacy notice version 2 (material)." in result.output
    rows = db.session.execute(db.select(NoticeVersion).order_by(NoticeVersion.id)).scalars()
    assert [(r.version, r.material) for r in rows] == [("1", False), ("2", True)]
    html = client.get("/privacy").get_data(as_text=True)
    assert "Version 2, in force since 25 November 2026." in html
    assert "We now work with a delivery partner." in html


@pytest.mark.parametrize("args, reason", [
    (["--version", "1", "--summary", "again"], "already exists"),
    (["--version", "", "--summary", "x"], "1 to 20 characters"),
    (["--version", "3", "--summary", " "], "one-line summary"),
])
def test_a_bad_publish_exits_non_zero_and_changes_nothing(runner, args, reason):
    ensure_current_notice()
    db.session.commit()
    result = runner.invoke(args=["notice", "publish", *args])
    assert result.exit_code != 0
    assert reason in result.output
    assert db.session.execute(db.select(db.func.count(NoticeVersion.id))).scalar_one() == 1


def test_new_events_name_the_new_version(runner, make_person, frozen_clock):
    from preference_centre.consent import Actor, record_change

    person = make_person()
    frozen_clock.advance(hours=1)
    runner.invoke(args=["notice", "publish", "--version", "2", "--summary", "Typos."])
    event = record_change(person.id, "email:offers", True, Actor(source="form"))
    assert event.notice_version == "2"


def test_a_material_change_shows_a_banner_until_read(client, runner, make_person, auth,
                                                     frozen_clock):
    person = make_person(notice_version_seen="1")
    auth.login(person)
    ensure_current_notice()
    db.session.commit()
    assert "We have changed our privacy notice" not in client.get("/").get_data(as_text=True)
    frozen_clock.advance(days=1)
    runner.invoke(args=["notice", "publish", "--version", "2", "--summary", "Minor wording."])
    assert "We have changed our privacy notice" not in client.get("/").get_data(as_text=True)
    frozen_clock.advance(days=1)
    runner.invoke(args=["notice", "publish", "--version", "3", "--material",
                        "--summary", "New partner."])
    html = client.get("/").get_data(as_text=True)
    assert "We have changed our privacy notice" in html and "New partner." in html
    response = client.post("/privacy/seen", data={"next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.refresh(person)
    assert person.notice_version_seen == "3"
    assert "We have changed our privacy notice" not in client.get("/").get_data(as_text=True)


def test_visitors_who_are_not_logged_in_see_no_notice_banner(client, runner):
    runner.invoke(args=["notice", "publish", "--version", "2", "--material", "--summary", "x"])
    assert "We have changed our privacy notice" not in client.get("/").get_data(as_text=True)


def test_an_operator_can_replace_the_text_from_the_instance_folder(app, client):
    folder = app.instance_path
    import os

    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "privacy_notice.txt"), "w", encoding="utf-8") as handle:
        handle.write("Our own words <b>here</b>.\n\nSecond paragraph.")
    html = client.get("/privacy").get_data(as_text=True)
    assert "<p>Our own words &lt;b&gt;here&lt;/b&gt;.</p>" in html
    assert "<p>Second paragraph.</p>" in html
    assert "The three reasons we use your information" not in html


def test_the_notice_names_the_controller_a_privacy_contact_and_the_right_to_complain(
        app, client):
    app.config.update(COMPANY_ADDRESS="1 Example Street, Leeds LS1 1AA",
                      PRIVACY_CONTACT_EMAIL="privacy@example.com")
    html = client.get("/privacy").get_data(as_text=True)
    # UK GDPR Art 13(1)(a) and (2)(d): who the controller is, how to reach them, the ICO.
    assert "Active Connections Group Ltd" in html and "controller" in html
    assert "1 Example Street, Leeds LS1 1AA" in html
    assert 'href="mailto:privacy@example.com"' in html
    assert "Information Commissioner" in html and "ico.org.uk" in html
    assert "0303 123 1113" in html
