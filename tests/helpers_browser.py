"""Plain helpers for the browser tests: axe-core's accessibility check of a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def serious_accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page; return the serious and critical violations. Evaluated
    through the DevTools protocol, so the page's CSP (no inline script) does not block it."""
    page.evaluate(_axe_source())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page: Any) -> None:
    violations = serious_accessibility_violations(page)
    assert not violations, f"axe-core on {page.url}: {violations}"


def fits_its_box(element: Any) -> bool:
    """Whether ``element`` (a locator) is no wider than its parent: nothing to scroll sideways."""
    return element.evaluate("e => e.scrollWidth <= e.parentElement.clientWidth")


def drawn_label(cell: Any) -> str:
    """What CSS draws before ``cell`` (a locator), e.g. its column's name from data-label."""
    return cell.evaluate("e => getComputedStyle(e, '::before').content")


def log_in_staff(page: Any, member: Any, live_server: str) -> None:
    """Log ``member`` (a ``make_staff(..., logged_in=False)``) in through the pages: email
    and password, then a code from their authenticator; ends on the dashboard."""
    page.goto("/staff/login")
    page.get_by_label("Work email address").fill(member.user.email)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/login/code")
    page.get_by_label("6-digit code from your authenticator app").fill(member.code())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server + "/staff")
