"""Service mail goes through the outbox to a real SMTP server."""

from __future__ import annotations

from preference_centre.extensions import db
from preference_centre.messaging import deliver_due, queue_service_email


def test_queued_service_mail_arrives_over_smtp(app, mailbox, make_person, tmp_path):
    (tmp_path / "email").mkdir()
    person = make_person(email="ada@example.com")
    app.jinja_loader.searchpath.insert(0, str(tmp_path))
    (tmp_path / "email" / "hello.txt").write_text("Hello {{ who }}")
    (tmp_path / "email" / "hello.html").write_text("<p>Hello {{ who }}</p>")
    queue_service_email(person, "hello", "Greetings", {"who": "Ada"})
    db.session.commit()
    assert deliver_due()["sent"] == 1
    message = mailbox.last_to("ada@example.com")
    assert message["Subject"] == "Greetings"
    assert "Hello Ada" in message.get_body(preferencelist=("plain",)).get_content()
