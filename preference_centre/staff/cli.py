"""``flask staff create``: staff accounts for the console."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import STAFF_ROLES
from ..people import PasswordRejected
from .services import StaffError, create_staff_user

staff_cli = AppGroup("staff", help="Staff accounts for the console.")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help=f"One of: {', '.join(STAFF_ROLES)}.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for (hidden) when not given.")
def create_command(email: str, role: str, password: str) -> None:
    """Create a staff account for EMAIL with the given role."""
    try:
        user = create_staff_user(email, role, password)
        db.session.commit()
    except (StaffError, PasswordRejected) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"A staff account for {email} already exists.") from None
    click.echo(f"Created {user.role} account {user.email}.")
