"""Staff see what the outbox could not deliver (never an address or a body) and send it again
once the cause is fixed: ``flask outbox status`` and ``flask outbox requeue``."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.messaging import queue_campaign, queue_service_email
from tests.helpers_messaging import add_template


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=1)
def test_status_lists_dead_and_failed_messages_without_personal_data(
        app, runner, make_person, outbox):
    person = make_person(email="private@example.com", name="Private Person")
    outcomes = {}
    for reply in ("421 4.7.0 <private@example.com> busy",
                  "550 5.1.1 <private@example.com> unknown", "250 OK"):
        [outcomes[reply[:3]]] = outbox.queue(person)
        outbox.reply(reply)
        outbox.deliver()
    dead, failed, sent = outcomes["421"], outcomes["550"], outcomes["250"]

    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    first_line, *listed = result.output.splitlines()
    assert "sent 1" in first_line and "failed 1" in first_line and "dead 1" in first_line
    assert any(line.startswith(f"#{dead.id} dead email service_messages") for line in listed)
    assert any(line.startswith(f"#{failed.id} failed") and "550" in line for line in listed)
    assert not any(f"#{sent.id} " in line for line in listed)
    for private in ("private@example.com", "Private", "Note 0", "Hello"):
        assert private not in result.output


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=1)
def test_a_requeued_dead_message_goes_out_once_the_server_is_back(
        app, runner, mailbox, make_person, outbox):
    person = make_person(email="ada@example.com")
    [row] = outbox.queue(person)
    outbox.reply("421 4.7.0 busy")
    assert outbox.deliver()["dead"] == 1
    outbox.reply("250 OK")
    assert outbox.deliver()["sent"] == 0  # dead stays dead on its own

    result = runner.invoke(args=["outbox", "requeue", "--dead"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "requeued 1"
    assert outbox.deliver()["sent"] == 1
    assert outbox.deliver()["sent"] == 0
    assert len(mailbox.to("ada@example.com")) == 1
    assert outbox.row(row.id).status == "sent"


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=1)
def test_requeue_can_be_narrowed_to_one_kind_of_message(app, runner, make_person,
                                                       tmp_path, outbox):
    person = make_person(email="ada@example.com")
    [note] = outbox.queue(person)
    add_template(app, tmp_path, kind="receipt")
    receipt = queue_service_email(person, "receipt", "Receipt", {"who": "Ada"})
    db.session.commit()
    outbox.reply("421 4.7.0 busy")
    assert outbox.deliver()["dead"] == 2
    outbox.reply("250 OK")
    result = runner.invoke(args=["outbox", "requeue", "--dead", "--kind", "receipt"])
    assert result.output.strip() == "requeued 1"
    assert outbox.deliver()["sent"] == 1
    assert outbox.row(receipt.id).status == "sent" and outbox.row(note.id).status == "dead"


def test_requeue_by_id_never_resends_a_sent_message(app, runner, mailbox, make_person, outbox):
    person = make_person(email="ada@example.com")
    [row] = outbox.queue(person)
    assert outbox.deliver()["sent"] == 1
    result = runner.invoke(args=["outbox", "requeue", str(row.id)])
    assert result.exit_code == 0 and result.output.strip() == "requeued 0"
    assert outbox.deliver()["sent"] == 0
    assert len(mailbox.to("ada@example.com")) == 1


def test_a_requeued_marketing_message_still_respects_a_withdrawal(
        app, runner, mailbox, make_person, consent, outbox):
    person = make_person(email="ada@example.com")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}", created_by="test")
    db.session.commit()
    outbox.reply("550 5.7.1 rejected")
    assert outbox.deliver()["failed"] == 1
    consent(person, **{"email:offers": False})
    outbox.reply("250 OK")
    assert runner.invoke(args=["outbox", "requeue", "--failed"]).output.strip() == "requeued 1"
    assert outbox.deliver()["suppressed"] == 1
    assert mailbox.to("ada@example.com") == []


@pytest.mark.parametrize("args", [[], ["abc"], ["0"]])
def test_requeue_without_a_valid_choice_is_refused_in_one_line(runner, args):
    result = runner.invoke(args=["outbox", "requeue", *args])
    assert result.exit_code != 0
    assert "Error" in result.output
