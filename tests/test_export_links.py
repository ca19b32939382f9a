"""An export holds the messages we sent, but never a link that still works: it is meant to be
handed to someone else, and a reset or erasure link in it would hand over the account."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from preference_centre.account.services import request_email_change
from preference_centre.auth.reset import request_password_reset
from preference_centre.data_rights import emailed_links
from preference_centre.data_rights.link_removal import MARKER, remove_links
from preference_centre.extensions import db
from preference_centre.links import one_click_link
from preference_centre.messaging import deliver_due, queue_service_email
from preference_centre.models import Communication, OutboxMessage, Person
from preference_centre.preferences.links import send_fresh_link

TOKEN_PATHS = re.compile(r"/(?:verify|reset|account/email/confirm|p|signup/confirm|u|"
                         r"data/export|data/erase)/([^\s\"'<>/]{16,})")


def _queue_every_kind_of_link(app, person: Person) -> None:
    request_password_reset(person.email)
    with app.test_request_context():  # the emailed links are built with url_for
        emailed_links.email_link(person, "erase")
        emailed_links.email_link(person, "export")
    send_fresh_link(person.email)
    # Stop-marketing links are added when a message leaves; one quoted in a stored body
    # (a message from before that, or a copy) must go as well.
    queue_service_email(person, "preference_link", "Your link",
                        {"link": one_click_link(person.id, "email", "*", "copy"), "days": 1})
    request_email_change(person, "ines.new@example.com")
    db.session.commit()
    deliver_due()


def _stored_tokens() -> set[str]:
    texts = [t for row in db.session.execute(db.select(OutboxMessage)).scalars()
             for t in (row.subject, row.body_text, row.body_html) if t]
    return {token for text in texts for token in TOKEN_PATHS.findall(text)}


def _erase_path() -> str:
    text = db.session.execute(db.select(OutboxMessage.body_text)
                              .where(OutboxMessage.kind == "erase_confirm")).scalar_one()
    return re.search(r"/data/erase/\S+", text).group(0)


def _texts_of(response) -> list[str]:
    """Every file of a download (read at once: a streamed export holds its request open)."""
    assert response.status_code == 200
    data = response.get_data()
    if response.mimetype != "application/zip":
        return [data.decode("utf-8")]
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [archive.read(name).decode("utf-8") for name in archive.namelist()]


def test_no_export_holds_a_working_link_from_our_messages(app, client, auth, make_person):
    person = make_person(email="ines@example.com")
    _queue_every_kind_of_link(app, person)
    erase_path = _erase_path()
    db.session.add(Communication(person_id=person.id, channel="email", direction="inbound",
                                 summary=f"Forwarded our mail asking about {erase_path}"))
    db.session.commit()
    stored = _stored_tokens()
    assert len(stored) >= 6  # reset, erase, export, preference, stop-marketing, new address
    export_path = re.search(r"/data/export/\S+", db.session.execute(
        db.select(OutboxMessage.body_text).where(OutboxMessage.kind == "export_ready")
    ).scalar_one()).group(0)

    auth.login(person)
    texts = (_texts_of(client.get("/account/data/export"))
             + _texts_of(client.get("/account/data/export?format=zip"))
             + _texts_of(app.test_client().post(export_path, data={"format": "zip"})))
    page = client.get("/account/data").get_data(as_text=True)

    everything = "\n".join([*texts, page])
    signatures = {token.rsplit(".", 1)[-1] for token in stored}  # the part that is secret
    assert [token for token in stored | signatures if token in everything] == []
    assert "Reset your password" in texts[0] and MARKER in texts[0]
    assert MARKER in page  # the note quoting the erasure link
    # A stranger given the export finds no erasure link that works.
    for path in set(re.findall(r"/data/erase/[^\s\"\\,]+", everything)):
        app.test_client().post(path)
    db.session.expire_all()
    assert db.session.get(Person, person.id) is not None
    assert app.test_client().get(erase_path).status_code == 200  # the real link still works


@pytest.mark.parametrize(("text", "expected"), [
    ("Open http://127.0.0.1:5000/reset/abc.DEF-123_x.", f"Open {MARKER}."),
    ("Old host: https://old.example.com/data/erase/eyJyIjo.xyz now", f"Old host: {MARKER} now"),
    ("Relative /p/abc.def/export-request?x=1, then", f"Relative {MARKER}, then"),
    ("Doubled //u//abc.def here", f"Doubled {MARKER} here"),
    ("/login?next=%2Fp%2Fabc.def", f"/login?next={MARKER}"),
    ("Ask again at http://127.0.0.1:5000/p/new-link.", "Ask again at http://127.0.0.1:5000"
     "/p/new-link."),
    ("See http://127.0.0.1:5000/account and /reset", "See http://127.0.0.1:5000/account and "
     "/reset"),
])
def test_each_form_of_a_signed_link_is_removed(app, text, expected):
    assert remove_links(text) == expected
