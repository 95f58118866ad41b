"""The back office's staff, as its administrator sees them from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from urpaq.domain.staff import InvalidStaffMember, staff_member
from urpaq.entrypoints import clock
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    opened,
    out,
    print_json,
    refuse,
    shown,
)
from urpaq.entrypoints.cli._reads import record_change

app = typer.Typer(help="The back office's staff.", no_args_is_help=True)


@app.command("sign-out")
def sign_out(
    user: Annotated[
        str,
        typer.Argument(
            help="The staff member's user name, as the audit log names them after `staff:`"
            " (`staff:` itself may be written too; case does not matter)."
        ),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """End every back-office session of a staff member at once, on every server process:
    someone who has left, or whose role the identity provider took away (a session
    otherwise lasts its 30 minutes).  Recorded in the audit log."""
    # As the audit log writes the actor, `staff:` in any case.
    bare = user[len("staff:") :] if user[:6].casefold() == "staff:" else user
    try:
        name = staff_member(bare, "clerk").user  # a name the office could have signed in
    except InvalidStaffMember as error:
        refuse(str(error))
    with opened(db) as uow:
        ended = uow.staff.close_sessions_of(user_name=name, now=clock.utc_now())
        record_change(uow, action=f"staff sign-out {name}", outcome=0)
    if as_json:
        print_json({"user": name, "sessions_ended": ended})
        return
    out.print(shown(f"{ended} session(s) of {name} ended"))
