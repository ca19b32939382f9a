"""``flask staff create``: staff accounts for the console."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import STAFF_ROLES
from ..passwords import PasswordRejected
from .services import StaffError, create_staff_user, setup_lifetime, setup_link

staff_cli = AppGroup("staff", help="Staff accounts for the console.")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help=f"One of: {', '.join(STAFF_ROLES)}.")
@click.option("--password", default=None,
              help="Set the password now; without it a single-use set-up link is printed.")
def create_command(email: str, role: str, password: str | None) -> None:
    """Create a staff account for EMAIL with the given role. Without --password, prints a
    single-use set-up link where the person chooses a password and enrols an
    authenticator; with it, they enrol at their first log-in."""
    try:
        user = create_staff_user(email, role, password)
        link = setup_link(user) if password is None else None
        db.session.commit()
    except (StaffError, PasswordRejected) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"A staff account for {email} already exists.") from None
    click.echo(f"Created {user.role} account {user.email}.")
    if link:
        hours = int(setup_lifetime().total_seconds() // 3600)
        click.echo(f"Set-up link (works once, for {hours} hours): {link}")
