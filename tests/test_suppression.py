"""``flask suppression export``: everyone who must not get marketing, as CSV."""

from __future__ import annotations

import csv
import io

from preference_centre import crypto
from preference_centre.consent import (
    Actor,
    audience,
    marketing_purposes,
    purposes_from_config,
    record_changes,
)
from preference_centre.consent.pacing import pause
from preference_centre.data_rights import requests as rights
from preference_centre.extensions import db
from preference_centre.models import Person, Suppression
from preference_centre.sms.services import opt_out_number
from preference_centre.suppression.csv_writer import CSV_COLUMNS
from preference_centre.suppression.queries import iter_entries


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def setup_people(make_person) -> None:
    keen = make_person(email="keen@example.com")
    record_changes(keen.id, {"email:offers": True}, Actor(source="form"))
    quitter = make_person(email="quit@example.com")
    record_changes(quitter.id, {"email:offers": True, "email:updates": True},
                   Actor(source="form"))
    record_changes(quitter.id, {"email:offers": False, "email:updates": False},
                   Actor(source="one_click"))
    make_person(email="waiting@example.com", status="pending")
    objector = make_person(email="=HYPERLINK(1)@example.com")
    record_changes(objector.id, {"post:offers": False}, Actor(source="form"))
    db.session.add(Suppression(kind="email", value_hash=crypto.email_hash("gone@example.com"),
                               reason="erased"))
    db.session.commit()


def test_export_lists_withdrawn_people_and_erased_hashes(runner, make_person):
    setup_people(make_person)
    result = runner.invoke(args=["suppression", "export", "--channel", "email"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(CSV_COLUMNS)
    found = rows(result.stdout)
    emails = {row["email"]: row["reason"] for row in found if row["email"]}
    assert emails == {"quit@example.com": "withdrawn", "'=HYPERLINK(1)@example.com": "no consent"}
    erased = [row for row in found if row["email_hash"]]
    assert [(row["email_hash"], row["reason"]) for row in erased] == [
        (crypto.email_hash("gone@example.com"), "erased")]
    assert "gone@example.com" not in result.stdout
    assert {row["channel"] for row in found} == {"email"}


def test_export_of_every_channel_says_which_channel(runner, make_person):
    setup_people(make_person)
    found = rows(runner.invoke(args=["suppression", "export"]).stdout)
    post = {row["email"]: row["reason"] for row in found if row["channel"] == "post"}
    assert post == {"'=HYPERLINK(1)@example.com": "objected", "": "erased"}
    assert {row["channel"] for row in found} == {"email", "sms", "phone", "post"}


def test_export_to_a_file(runner, make_person, tmp_path):
    setup_people(make_person)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "optouts.csv"
    result = runner.invoke(args=["suppression", "export", "--channel", "email", "--out",
                                 str(out)])
    assert result.exit_code == 0
    assert "quit@example.com" in out.read_text()
    assert [p.name for p in folder.iterdir()] == ["optouts.csv"]  # no temporary file left


def test_a_bad_channel_fails_without_writing_a_file(runner, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "optouts.csv"
    result = runner.invoke(args=["suppression", "export", "--channel", "pigeon", "--out",
                                 str(out)])
    assert result.exit_code != 0
    assert "Unknown channel" in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists() and list(folder.iterdir()) == []


def test_a_failed_export_leaves_the_previous_file_whole(runner, make_person, tmp_path,
                                                        monkeypatch):
    from preference_centre.suppression import queries

    setup_people(make_person)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "optouts.csv"
    out.write_text("yesterday's list\n")
    real = queries.iter_entries

    def broken(channel, batch=1000):
        yield from list(real(channel, batch))[:1]
        raise RuntimeError("database went away")

    monkeypatch.setattr(queries, "iter_entries", broken)
    result = runner.invoke(args=["suppression", "export", "--out", str(out)])
    assert result.exit_code != 0
    assert out.read_text() == "yesterday's list\n"
    assert [p.name for p in folder.iterdir()] == ["optouts.csv"]


def test_every_channel_lists_exactly_the_people_its_campaigns_leave_out(app, make_person):
    """The list and the campaigns apply one rule: each active person is in the audience of
    one of the channel's topics or on the channel's list, never both, never neither."""
    everyone = {
        "offers": {"email:offers": True, "sms:offers": True},
        "updates only": {"email:updates": True, "sms:updates": True},
        "withdrew": {"email:offers": False, "post:offers": False},
        "paused": {"email:offers": True, "phone:offers": True},
        "restricted": {"email:policy": True},
        "stopped": {"sms:offers": True},
        "never asked": {},
    }
    ids = {}
    for n, (name, choices) in enumerate(everyone.items()):
        person = make_person(email=f"person{n}@example.com", phone=f"07700 90010{n}")
        if choices:
            record_changes(person.id, choices, Actor(source="form"))
        ids[name] = person.id
    pause(ids["paused"], 3, Actor(source="form"))
    rights.restrict_processing(db.session.get(Person, ids["restricted"]), None)
    opt_out_number("07700 900105")  # the "stopped" person's number
    db.session.commit()

    purposes = purposes_from_config(app.config)
    for channel in ("email", "sms", "post", "phone"):
        reached = set()
        for key in marketing_purposes(purposes, channel):
            reached |= set(db.session.scalars(audience(channel, key.split(":", 1)[1])))
        listed = {int(entry.cursor[1:]) for entry in iter_entries(channel)
                  if entry.cursor.startswith("p")}
        assert not reached & listed, channel
        assert reached | listed == set(ids.values()), channel
    email_list = {int(e.cursor[1:]) for e in iter_entries("email") if e.cursor[0] == "p"}
    assert ids["paused"] in email_list and ids["updates only"] not in email_list
    sms_list = {int(e.cursor[1:]) for e in iter_entries("sms") if e.cursor[0] == "p"}
    assert ids["stopped"] in sms_list and ids["offers"] not in sms_list
