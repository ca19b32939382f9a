"""The console dashboard's figures always equal a full count of everyone, whatever the real
services do (consent, objections, restriction, erasure, sign-up again), because the database
keeps them; the weekly series and the SVG chart show the same opt-ins and opt-outs."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, timedelta

from flask_migrate import upgrade
from sqlalchemy import delete, select, text

from preference_centre import clock
from preference_centre.auth.link_tokens import token_for, verify_fingerprint
from preference_centre.auth.registration import register_account, verify_account
from preference_centre.consent import Actor, record_changes
from preference_centre.consent.catalogue import all_purposes
from preference_centre.consent.decisions import may_contact_many
from preference_centre.consent.pacing import PAUSE, pause, resume
from preference_centre.console.aggregate import backfill, tracked_purposes
from preference_centre.console.chart import weekly_chart_svg
from preference_centre.console.dashboard import WeekFigures, dashboard_figures, weekly_series
from preference_centre.data_rights import requests as rights
from preference_centre.data_rights.erasure import erase_person
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, ConsentState, PacingState, Person, Suppression
from preference_centre.people import find_person_by_email
from preference_centre.signup.services import confirm_signup, start_signup
from preference_centre.sms.services import opt_out_number


def _full_count() -> Counter:
    """(purpose, reason) -> people, counted from every row, and checked against the contact
    decision everyone else asks."""
    people = db.session.execute(
        select(Person.id, Person.status, Person.restricted_at, Person.email_hash)).all()
    suppressed = set(db.session.execute(
        select(Suppression.value_hash).where(Suppression.kind == "email")).scalars())
    stored = {(pid, key): allowed for pid, key, allowed in db.session.execute(
        select(ConsentState.person_id, ConsentState.purpose, ConsentState.allowed))}
    paused = set(db.session.execute(select(PacingState.person_id).where(
        PacingState.setting == PAUSE, PacingState.paused_until > clock.utcnow())).scalars())
    purposes = all_purposes()
    counts: Counter = Counter()
    for key, runs_by_default in tracked_purposes().items():
        channel, topic = key.split(":")
        decisions = may_contact_many([p.id for p in people], channel, topic)
        for person in people:
            answer = stored.get((person.id, key))
            if person.status != "active":
                reason = "unconfirmed"
            elif person.restricted_at is not None:
                reason = "restricted"
            elif person.email_hash in suppressed:
                reason = "suppressed"
            elif answer is None:
                reason = "allowed" if runs_by_default else "never"
            elif answer:
                reason = "allowed"
            else:
                reason = "objected" if runs_by_default else "withdrew"
            if reason == "allowed" and person.id in paused and purposes[key].is_marketing:
                reason = "paused"  # a pause holds back only what would otherwise be sent
            assert decisions[person.id].allowed == (reason == "allowed"), (key, person, reason)
            counts[key, reason] += 1
    return counts


def _dashboard_count() -> Counter:
    counts: Counter = Counter()
    for figures in dashboard_figures().purposes:
        counts[figures.key, "allowed"] += figures.may
        for reason, people in figures.may_not.items():
            counts[figures.key, reason] += people
    return +counts  # zero entries dropped


def _weekly_full_count() -> Counter:
    counts: Counter = Counter()
    for when, value in db.session.execute(
            select(ConsentEvent.occurred_at, ConsentEvent.new_value)
            .where(ConsentEvent.purpose.in_(list(tracked_purposes())))):
        monday = when.date() - timedelta(days=when.weekday())
        counts[monday, "in" if value else "out"] += 1
    return counts


def _weekly_dashboard(today: date) -> Counter:
    counts: Counter = Counter()
    for week in weekly_series(today):
        counts[week.week_start, "in"] += week.opt_ins
        counts[week.week_start, "out"] += week.opt_outs
    return +counts


def test_random_changes_through_the_services_keep_the_figures_equal_to_a_full_count(
        app, make_person, frozen_clock):
    rng = random.Random(13)
    addresses = [f"p{n}@example.com" for n in range(10)]
    for n, address in enumerate(addresses):
        make_person(email=address, status="active" if n % 4 else "pending",
                    phone=f"07700 9001{n:02d}")
    keys = list(tracked_purposes())
    staff = Actor(source="staff", actor_type="staff", actor_id="s1")
    seen: set[str] = set()
    for step in range(120):
        frozen_clock.advance(days=rng.randint(0, 4))
        address = rng.choice(addresses)
        person = find_person_by_email(address)
        action = rng.choice(["grant", "grant", "withdraw", "object", "restrict", "erase",
                             "sign_up", "confirm", "register", "verify", "sms_stop",
                             "pause", "pause", "resume"])
        if person is None:
            action = rng.choice(["sign_up", "register"])
        if action == "grant":
            record_changes(person.id, {k: True for k in rng.sample(keys, 3)},
                           Actor(source="form"))
        elif action == "withdraw":
            record_changes(person.id, {rng.choice(keys): False}, staff)
        elif action == "object":
            choice = rng.choice(["post:offers", "phone:offers", rights.ALL_MARKETING])
            rights.object_to_processing(person.id, choice, None, staff)
        elif action == "restrict":
            if person.restricted_at is None:
                rights.restrict_processing(person, None)
            else:
                rights.lift_restriction(person)
        elif action == "erase":
            erase_person(person.id, "staff", notify=False)
        elif action == "sign_up":
            # An erased address comes back pending and suppressed until it confirms.
            start_signup(address, None, ["email:offers"])
        elif action == "register":
            register_account(address, "a long enough password")
        elif action == "verify":
            if person.has_account:
                verify_account(token_for("verify_email", person, verify_fingerprint))
        elif action == "confirm":
            confirm_signup({"p": person.id, "t": ["email:updates"]}, None, None)
        elif action == "sms_stop":
            opt_out_number(person.phone or "07700 900999")
        elif action == "pause":  # ends by itself as the clock moves on, or when resumed
            pause(person.id, 1, Actor(source="form"))
        elif action == "resume":
            resume(person.id, Actor(source="form"))
        db.session.commit()
        if step % 10 == 9:
            assert _dashboard_count() == +_full_count(), f"after step {step} ({action})"
            seen |= {reason for _key, reason in _dashboard_count()}
            today = frozen_clock.now.date()
            assert _weekly_dashboard(today) == _weekly_full_count()
    assert _dashboard_count() == +_full_count()
    # An address on the suppression list whose person is active: confirming an address takes
    # it off the list, so the services only leave such a row behind from before that rule
    # (or a list loaded from elsewhere). The suppressions trigger must count it all the same.
    active = db.session.execute(select(Person).where(
        Person.status == "active", Person.restricted_at.is_(None))).scalars()
    person = next(iter(active))
    db.session.add(Suppression(kind="email", value_hash=person.email_hash, reason="erased",
                               created_at=frozen_clock.now))
    db.session.commit()
    seen |= {reason for _key, reason in _dashboard_count()}
    assert _dashboard_count() == +_full_count()
    assert {"allowed", "never", "withdrew", "objected", "paused", "unconfirmed", "restricted",
            "suppressed"} <= seen  # every reason was reached


def test_a_backfill_recounts_the_same_figures(app, make_person):
    first, second = make_person(), make_person(status="pending")
    record_changes(first.id, {"email:offers": True, "post:offers": False}, Actor(source="form"))
    record_changes(second.id, {"sms:offers": True}, Actor(source="form"))
    db.session.commit()
    before = _dashboard_count()
    backfill(db.session.connection())
    assert _dashboard_count() == before == +_full_count()


def test_every_purpose_shows_every_reason_and_paused_people_until_their_pause_ends(
        app, make_person, frozen_clock):
    make_person()
    paused = make_person()
    pause(paused.id, 1, Actor(source="form"))
    db.session.commit()
    figures = {f.key: f for f in dashboard_figures().purposes}
    assert (figures["post:offers"].may, figures["post:offers"].may_not["paused"]) == (1, 1)
    assert figures["email:offers"].may_not["paused"] == 0  # never consented: not held back
    assert figures["ads:personalised"].may_not["paused"] == 0  # not a message
    frozen_clock.advance(days=31)
    figures = dashboard_figures()
    assert [f.key for f in figures.purposes][:3] == ["email:offers", "email:updates",
                                                    "email:policy"]
    offers_by_post = next(f for f in figures.purposes if f.key == "post:offers")
    assert offers_by_post.may == 2  # legitimate interests: allowed until objected to
    assert list(offers_by_post.may_not) == ["never", "withdrew", "objected", "paused",
                                            "unconfirmed", "restricted", "suppressed"]
    assert offers_by_post.may_not["paused"] == 0  # the pause has ended by itself
    email_offers = figures.purposes[0]
    assert (email_offers.may, email_offers.may_not["never"]) == (0, 2)


def test_the_weekly_series_covers_a_year_of_iso_weeks_with_empty_weeks_as_zero(
        app, make_person, frozen_clock):
    person = make_person()
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    frozen_clock.advance(days=9)
    record_changes(person.id, {"email:offers": False, "post:offers": False},
                   Actor(source="form"))
    db.session.commit()
    weeks = dashboard_figures(frozen_clock.now.date()).weeks
    assert len(weeks) == 53
    assert all(week.week_start.weekday() == 0 for week in weeks)
    assert weeks[-1].week_start <= frozen_clock.now.date() < weeks[-1].week_start + timedelta(7)
    assert [(w.opt_ins, w.opt_outs) for w in weeks[-3:]] == [(0, 0), (1, 0), (0, 2)]
    assert weeks[-1].label == "2026-W49"


def test_the_chart_is_named_for_screen_readers_and_drawn_in_system_colours(app):
    first = date(2025, 12, 29)
    series = [WeekFigures(first + timedelta(weeks=n), n, 2 * n) for n in range(53)]
    svg = str(weekly_chart_svg(series))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="weekly-chart-title">Opt-ins and opt-outs per week</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert "1,378 opt-ins" in desc and "2,756 opt-outs" in desc and "table" in desc
    assert "<script" not in svg and 'fill="#' not in svg and "rgb(" not in svg
    assert "currentColor" in svg and "CanvasText" in svg
    assert ">2026-W01<" in svg and ">ISO week (starting Monday)<" in svg and ">People<" in svg
    assert "<title>2026-W53: 52 opt-ins</title>" in svg  # every bar tells its own figure




def test_the_aggregates_migration_backfills_from_existing_data(app, empty_database,
                                                                 make_person):
    upgrade(revision="0006")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO people (email_hash, email, status, origin, created_at, updated_at, "
            "consent_version) VALUES ('h1', 'x', 'active', 'import', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, 0)"))
        connection.execute(text(
            "INSERT INTO consent_events (person_id, purpose, new_value, occurred_at, "
            "source, actor_type) SELECT id, 'email:offers', true, CURRENT_TIMESTAMP, "
            "'import', 'system' FROM people"))
    upgrade()
    figures = {f.key: f for f in dashboard_figures().purposes}
    assert figures["email:offers"].may == 1
    assert figures["email:updates"].may_not["never"] == 1
    assert sum(w.opt_ins for w in dashboard_figures().weeks) == 1
    # And the triggers are there: a new person is counted at once.
    make_person()
    assert {f.key: f for f in dashboard_figures().purposes}["post:offers"].may == 2


def test_a_person_deleted_with_their_choices_cascading_leaves_no_figures(app, make_person):
    person = make_person()
    # Written straight to the state (no ledger rows, which would keep the person).
    db.session.add_all([ConsentState(person_id=person.id, purpose="email:offers", allowed=True),
                        ConsentState(person_id=person.id, purpose="post:offers", allowed=False)])
    db.session.commit()
    assert _dashboard_count()["post:offers", "objected"] == 1
    db.session.execute(delete(Person).where(Person.id == person.id))  # consent_state cascades
    db.session.commit()
    assert _dashboard_count() == Counter()
