"""``flask demo seed`` gives every page something to show, and running it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from preference_centre.extensions import db
from preference_centre.models import Communication, ExternalRecord, Order, Person


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_seed_is_idempotent_and_prints_the_demo_login(app, runner, client, frozen_clock):
    result = runner.invoke(args=["demo", "seed", "--customers", "6"])
    assert result.exit_code == 0, result.output
    assert "alice@example.com / " in result.output
    counts = [_count(m) for m in (Person, Order, Communication, ExternalRecord)]
    assert counts[0] == 6 and all(counts)
    again = runner.invoke(args=["demo", "seed", "--customers", "6"])
    assert "0 created" in again.output
    assert [_count(m) for m in (Person, Order, Communication, ExternalRecord)] == counts

    password = result.output.split("alice@example.com / ")[1].split()[0]
    login = client.post("/login", data={"email": "alice@example.com", "password": password})
    assert login.status_code == 302
    page = client.get("/account/data").get_data(as_text=True)
    assert "Alice Hughes" in page and "Facebook" in page and "Web chat" in page


def test_one_demo_order_is_past_the_retention_period(app, runner, frozen_clock):
    runner.invoke(args=["demo", "seed"])
    oldest = db.session.execute(select(func.min(Order.ordered_at))).scalar()
    assert (frozen_clock.now - oldest).days > 36 * 31 - 5


def test_an_erased_demo_customer_comes_back_on_the_next_seed(app, runner, frozen_clock):
    from preference_centre.data_rights.erasure import erase_person
    from preference_centre.people import find_person_by_email

    runner.invoke(args=["demo", "seed"])
    erase_person(find_person_by_email("alice@example.com").id, "person")
    db.session.commit()
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "1 created" in again.output and "alice@example.com / " in again.output
    alice = find_person_by_email("alice@example.com")
    assert alice is not None and alice.status == "active" and alice.gender == "Female"
