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
    assert "Alice Hughes" in page and "Facebook" in page and "webchat" in page


def test_one_demo_order_is_past_the_retention_period(app, runner, frozen_clock):
    runner.invoke(args=["demo", "seed"])
    oldest = db.session.execute(select(func.min(Order.ordered_at))).scalar()
    assert (frozen_clock.now - oldest).days > 36 * 31 - 5
