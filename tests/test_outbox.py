"""The outbox worker: consent checked again at send time, retries with backoff, permanent
failures, a stalled server, crashed workers, and counts-only logs."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from preference_centre import clock
from preference_centre.extensions import db
from preference_centre.messaging import outbox as worker
from preference_centre.messaging import queue_campaign
from preference_centre.messaging.batch import retry_delay
from preference_centre.messaging.transport import SmtpTransport
from preference_centre.models import OutboxMessage
from tests.helpers_accounts import register
from tests.helpers_app import free_port, point_mail_at, process_environment


def test_consent_withdrawn_after_queueing_means_not_sent(
        app, mailbox, make_person, consent, outbox):
    keen = make_person(email="keen@example.com")
    changed_mind = make_person(email="changed@example.com")
    consent(keen, **{"email:offers": True})
    consent(changed_mind, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}")
    db.session.commit()
    consent(changed_mind, **{"email:offers": False})

    counts = outbox.deliver()
    assert counts["sent"] == 1 and counts["suppressed"] == 1
    assert [e.rcpt_tos for e in mailbox.envelopes] == [["keen@example.com"]]
    status = db.session.execute(
        db.select(OutboxMessage.status).where(OutboxMessage.person_id == changed_mind.id)
    ).scalar_one()
    assert status == "suppressed"
    assert outbox.deliver()["sent"] == 0  # never picked up again


def _campaign_to(make_person, consent, count):
    people = [make_person(email=f"reader{n}@example.com") for n in range(count)]
    for person in people:
        consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }}")
    db.session.commit()
    return people


def _after_sends(monkeypatch, count, action):
    """Run ``action()`` once, right after the server accepted the ``count``-th message of a
    batch."""
    real_finish, sent = SmtpTransport.finish, []

    def finish(transport):
        real_finish(transport)
        sent.append(transport)
        if len(sent) == count:
            action()

    monkeypatch.setattr(SmtpTransport, "finish", finish)


def test_a_withdrawal_during_a_batch_is_honoured_from_the_next_window(
        app, mailbox, make_person, monkeypatch, consent, outbox):
    monkeypatch.setattr(worker, "WINDOW", 2)
    people = _campaign_to(make_person, consent, 4)

    def withdraw_elsewhere():  # another request, committed while the batch is under way
        def withdraw():
            with app.app_context():
                consent(db.session.get(type(people[3]), people[3].id), **{"email:offers": False})
                db.session.remove()

        thread = threading.Thread(target=withdraw)
        thread.start()
        thread.join(timeout=30)

    _after_sends(monkeypatch, 1, withdraw_elsewhere)
    counts = outbox.deliver()
    assert counts["sent"] == 3 and counts["suppressed"] == 1
    assert "reader3@example.com" not in {to for e in mailbox.envelopes for to in e.rcpt_tos}
    assert _row_of(people[3]).status == "suppressed"


def test_a_worker_that_dies_mid_batch_resends_only_the_windows_it_had_not_recorded(
        app, mailbox, make_person, monkeypatch, frozen_clock, consent, outbox):
    monkeypatch.setattr(worker, "WINDOW", 2)
    people = _campaign_to(make_person, consent, 4)

    def die():
        raise KeyboardInterrupt  # not caught per message, as a killed process is not

    _after_sends(monkeypatch, 3, die)
    with pytest.raises(KeyboardInterrupt):
        outbox.deliver()
    db.session.rollback()
    assert [_row_of(person).status for person in people] == ["sent", "sent", "sending", "sending"]

    monkeypatch.undo()
    frozen_clock.advance(minutes=10)  # the claim times out
    assert outbox.deliver()["sent"] == 2
    received = sorted(to for e in mailbox.envelopes for to in e.rcpt_tos)
    # the third message left twice (at least once), the first window never again
    assert received == sorted(f"reader{n}@example.com" for n in (0, 1, 2, 2, 3))


def test_refusals_within_a_window_land_on_their_own_rows(app, mailbox, make_person,
                                                         monkeypatch, consent, outbox):
    # A window's sent rows are recorded in one statement, the rest one by one: each refusal
    # must still land on its own row, and no refused row be counted as sent.
    people = _campaign_to(make_person, consent, 4)
    answers = {"reader1@example.com": "550 5.7.1 content refused",
               "reader3@example.com": "451 4.3.0 try later"}
    accept = mailbox.handle_DATA

    async def handle_data(server, session, envelope):
        refusal = answers.get(envelope.rcpt_tos[0])
        return refusal or await accept(server, session, envelope)

    monkeypatch.setattr(mailbox, "handle_DATA", handle_data)
    counts = outbox.deliver()
    assert (counts["sent"], counts["failed"], counts["retry"]) == (2, 1, 1)
    rows = [_row_of(person) for person in people]
    assert [row.status for row in rows] == ["sent", "failed", "sent", "queued"]
    assert [row.attempts for row in rows] == [1, 1, 1, 1]
    assert rows[1].last_error.startswith("550") and rows[3].last_error.startswith("451")
    assert rows[0].sent_at is not None and rows[1].sent_at is None
    assert sorted(to for e in mailbox.envelopes for to in e.rcpt_tos) == [
        "reader0@example.com", "reader2@example.com"]


def test_a_refused_recipient_fails_only_its_own_message(app, mailbox, make_person,
                                                         monkeypatch, consent, outbox):
    # Refused at RCPT, before any content: the connection is reset and the next one goes.
    people = _campaign_to(make_person, consent, 4)
    answers = {"reader1@example.com": "550 5.1.1 no such user",
               "reader2@example.com": "450 4.2.1 mailbox busy"}

    async def handle_rcpt(server, session, envelope, address, options):
        if address in answers:
            return answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(mailbox, "handle_RCPT", handle_rcpt, raising=False)
    counts = outbox.deliver()
    assert (counts["sent"], counts["failed"], counts["retry"]) == (2, 1, 1)
    assert [_row_of(person).status for person in people] == ["sent", "failed", "queued", "sent"]
    assert _row_of(people[1]).last_error == "550 5.1.1 no such user"
    assert sorted(to for e in mailbox.envelopes for to in e.rcpt_tos) == [
        "reader0@example.com", "reader3@example.com"]


def test_a_server_closing_mid_batch_holds_back_the_rest_for_later(
        app, mailbox, make_person, monkeypatch, consent, outbox, frozen_clock):
    people = _campaign_to(make_person, consent, 4)

    async def handle_rcpt(server, session, envelope, address, options):
        if address == "reader1@example.com":
            return "421 4.3.2 shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(mailbox, "handle_RCPT", handle_rcpt, raising=False)
    counts = outbox.deliver()
    assert (counts["sent"], counts["retry"]) == (1, 3)
    assert [_row_of(person).last_error for person in people[1:]] == ["421 4.3.2 shutting down"] * 3
    monkeypatch.undo()
    frozen_clock.advance(hours=1)
    assert outbox.deliver()["sent"] == 3
    assert sorted(to for e in mailbox.envelopes for to in e.rcpt_tos) == [
        f"reader{n}@example.com" for n in range(4)]


def test_lines_that_start_with_a_dot_arrive_as_written(app, mailbox, make_person, consent,
                                                       outbox):
    # SMTP ends a message at a line holding only ".": such lines are sent doubled (RFC 5321
    # dot-stuffing) and the server takes the extra dot off.
    person = make_person(email="ada@example.com")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "First line\n.\n.hidden\n..two\nLast line")
    db.session.commit()
    assert outbox.deliver()["sent"] == 1
    body = mailbox.last_to("ada@example.com").get_body(("plain",)).get_content()
    assert "First line\n.\n.hidden\n..two\nLast line" in body.replace("\r\n", "\n")


def _row_of(person):
    db.session.expire_all()
    return db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.person_id == person.id)
    ).scalar_one()


def test_smtp_down_keeps_the_message_queued_then_sends_it_exactly_once(
        app, mailbox, make_person, frozen_clock, outbox):
    person = make_person(email="ada@example.com")
    [row] = outbox.queue(person)
    real_port = app.config["MAIL_PORT"]
    point_mail_at(app, free_port())  # nothing listens there

    assert outbox.deliver()["retry"] == 1
    queued = outbox.row(row.id)
    assert queued.status == "queued" and queued.attempts == 1
    assert queued.next_attempt_at > clock.utcnow()
    assert "connection failed" in queued.last_error

    point_mail_at(app, real_port)
    assert outbox.deliver()["sent"] == 0  # still backing off
    frozen_clock.advance(minutes=2)
    assert outbox.deliver()["sent"] == 1
    frozen_clock.advance(days=1)
    assert outbox.deliver()["sent"] == 0
    assert len(mailbox.to("ada@example.com")) == 1
    assert outbox.row(row.id).status == "sent"


def test_a_temporary_refusal_is_retried_with_a_growing_delay(
        app, mailbox, make_person, frozen_clock, outbox):
    person = make_person(email="ada@example.com")
    [row] = outbox.queue(person)
    outbox.reply("451 4.3.0 try later")
    assert outbox.deliver()["retry"] == 1
    first = outbox.row(row.id)
    assert first.status == "queued" and first.last_error.startswith("451")
    first_delay = first.next_attempt_at - clock.utcnow()

    frozen_clock.advance(seconds=first_delay.total_seconds() + 1)
    assert outbox.deliver()["retry"] == 1
    second_delay = outbox.row(row.id).next_attempt_at - clock.utcnow()
    assert second_delay > first_delay  # exponential: 30-60 s, then 60-120 s

    outbox.reply("250 OK")
    frozen_clock.advance(hours=1)
    assert outbox.deliver()["sent"] == 1
    assert len(mailbox.to("ada@example.com")) == 1


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling(app):
    delays = [retry_delay(n, {"OUTBOX_RETRY_SECONDS": 60}).total_seconds() for n in (1, 2, 5)]
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120 and 480 <= delays[2] <= 960
    assert retry_delay(30, app.config) <= timedelta(hours=6)
    assert len({retry_delay(3, app.config) for _ in range(20)}) > 1  # jittered


def test_a_permanent_refusal_fails_without_retry_and_keeps_no_address(
        app, make_person, outbox):
    person = make_person(email="gone@example.com")
    [row] = outbox.queue(person)
    outbox.reply("550 5.1.1 <gone@example.com> no such user")
    assert outbox.deliver()["failed"] == 1
    failed = outbox.row(row.id)
    assert failed.status == "failed" and failed.last_error.startswith("550")
    assert "gone@example.com" not in failed.last_error
    outbox.reply("250 OK")
    assert outbox.deliver()["sent"] == 0


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_a_message_is_dead(app, make_person, frozen_clock, outbox):
    person = make_person()
    [row] = outbox.queue(person)
    outbox.reply("421 4.7.0 busy")
    assert outbox.deliver()["retry"] == 1
    frozen_clock.advance(hours=1)
    assert outbox.deliver()["dead"] == 1
    assert outbox.row(row.id).status == "dead" and outbox.row(row.id).attempts == 2


@pytest.mark.app_config(MAIL_TIMEOUT=0.5)
def test_a_stalled_smtp_server_times_out_instead_of_hanging(app, make_person,
                                                            stalled_smtp, outbox):
    person = make_person()
    row, *_ = outbox.queue(person, count=3)
    started = time.monotonic()
    counts = outbox.deliver()
    assert time.monotonic() - started < 3  # one timeout for the batch, not one per message
    assert counts["retry"] == 3
    assert "timed out" in outbox.row(row.id).last_error


def test_web_requests_queue_mail_and_never_wait_on_the_smtp_server(app, client, stalled_smtp):
    response = register(client, "ada@example.com")
    assert response.status_code == 302
    [row] = db.session.scalars(db.select(OutboxMessage)).all()
    assert row.status == "queued" and row.attempts == 0
    stalled_smtp.setblocking(False)
    with pytest.raises(BlockingIOError):  # nobody even connected to it
        stalled_smtp.accept()


def test_rows_left_sending_by_a_crashed_worker_are_sent_later(
        app, mailbox, make_person, frozen_clock, outbox):
    person = make_person(email="ada@example.com")
    [row] = outbox.queue(person)
    stuck = outbox.row(row.id)
    stuck.status, stuck.claimed_by, stuck.claimed_at = "sending", "dead-worker", clock.utcnow()
    db.session.commit()
    assert outbox.deliver()["sent"] == 0  # another worker may still be on it
    frozen_clock.advance(minutes=10)
    assert outbox.deliver()["sent"] == 1
    assert len(mailbox.to("ada@example.com")) == 1


def test_messages_for_an_erased_person_are_cancelled(app, mailbox, make_person, outbox):
    person = make_person()
    [row] = outbox.queue(person)
    db.session.delete(person)
    db.session.commit()
    assert outbox.deliver()["cancelled"] == 1
    assert mailbox.envelopes == []


def test_the_worker_logs_counts_never_addresses_or_links(app, make_person,
                                                         caplog, outbox):
    person = make_person(email="private@example.com", name="Private Person")
    outbox.queue(person, count=2)
    outbox.reply("550 5.1.1 <private@example.com> unknown")
    with caplog.at_level(logging.DEBUG, logger="preference_centre"):
        outbox.deliver()
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if record.name.startswith("preference_centre"))
    assert "failed=2" in logged
    for secret in ("private@example.com", "Private", "/u/", "/p/", "Hello"):
        assert secret not in logged


def test_outbox_command_drains_what_is_due(app, runner, mailbox, make_person, outbox):
    person = make_person(email="ada@example.com")
    outbox.queue(person, count=3)
    result = runner.invoke(args=["outbox", "send", "--once", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert len(mailbox.to("ada@example.com")) == 3


def test_sigterm_mid_batch_lets_the_worker_finish_and_record_the_batch(
        app, mailbox, make_person, tmp_path, outbox):
    person = make_person(email="ada@example.com")
    ids = [row.id for row in outbox.queue(person, count=300)]
    db.session.remove()
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "outbox", "send", "--poll",
         "--batch", "300"],
        cwd=Path(__file__).resolve().parents[1], text=True,
        env=process_environment(app, tmp_path / "worker"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not mailbox.to("ada@example.com") and time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()
            time.sleep(0.002)
        worker.send_signal(signal.SIGTERM)
        arrived_before_the_signal = len(mailbox.to("ada@example.com"))
        output, errors = worker.communicate(timeout=30)
    finally:
        worker.kill()
    assert 0 < arrived_before_the_signal < 300, "the signal must land mid-batch"
    assert worker.returncode == 0, errors
    assert output.strip().startswith("sent 300,")
    assert len(mailbox.to("ada@example.com")) == 300
    assert {outbox.row(row_id).status for row_id in ids} == {"sent"}  # none left claimed


def test_two_workers_on_postgresql_never_send_a_message_twice(
        app, mailbox, make_person, engine_name, outbox):
    if engine_name != "postgresql":
        pytest.skip("SQLite runs one worker; SKIP LOCKED claims need PostgreSQL")
    person = make_person(email="many@example.com")
    outbox.queue(person, count=1000)
    totals = []

    def work(name):
        with app.app_context():
            sent = 0
            while True:
                counts = outbox.deliver(batch=25, worker=name)
                if not any(counts.values()):
                    break
                sent += counts["sent"]
            totals.append(sent)
            db.session.remove()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(totals) == 1000 and all(totals)  # both worked, together sent each once
    ids = [str(message["Message-ID"]) for message in mailbox.to("many@example.com")]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    statuses = db.session.execute(db.select(OutboxMessage.status).distinct()).scalars().all()
    assert statuses == ["sent"]
