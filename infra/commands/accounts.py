"""`accounts unlock|reset|revoke-sessions ID_NUMBER`: help a resident who called the hotline.

    unlock           clear failed sign-ins and the lock (the password is unchanged)
    reset            back to the initial password 888888; the next sign-in must activate again
                     (a new password set through an SMS code); all sessions end     [--yes]
    revoke-sessions  end every session of the resident at once                       [--yes]

Every action is written to the audit log (action `ops.<name>`, the operator in `detail`).
Exit codes: 0 done, 1 unknown resident or refused, 2 bad input.
"""

from __future__ import annotations

import sys

from .. import ops_common as ops
from ..ops_common import EXIT_BAD_INPUT, EXIT_OK, EXIT_REFUSED


def _run(args, action: str, description: str, destructive: bool) -> int:
    from chalicelib import id_number as ids
    from chalicelib.errors import NotFound
    from chalicelib.services import accounts, audit, sessions

    value = ops.checked_id(args.id_number)
    if value is None:
        return EXIT_BAD_INPUT
    try:
        account = accounts.get(value)
    except NotFound:
        print(f"error: no account for {ids.mask(value)}", file=sys.stderr)
        return EXIT_REFUSED
    if destructive and not ops.confirm(args, f"{description} for {account.name} ({ids.mask(value)})"):
        return EXIT_REFUSED
    detail: dict = {"by": ops.operator(args), "via": ops.SOURCE}
    if action == "unlock":
        was_locked = accounts.is_locked(account)
        accounts.clear_failures(value)
        detail["was_locked"] = was_locked
        message = f"unlocked {ids.mask(value)} ({'was locked' if was_locked else 'was not locked'}); password unchanged"
    elif action == "reset":
        accounts.reset_to_initial(value)
        ended = sessions.revoke_all(value)
        detail["sessions_ended"] = ended
        message = (
            f"reset {ids.mask(value)} to the initial password; {ended} session(s) ended; "
            "the next sign-in asks for activation by SMS code"
        )
    else:
        ended = sessions.revoke_all(value)
        detail["sessions_ended"] = ended
        message = f"ended {ended} session(s) of {ids.mask(value)}"
    audit.record(value, f"ops.{action.replace('-', '_')}", "ok", None, detail)
    print(message)
    return EXIT_OK


def register(sub) -> None:
    parser = sub.add_parser(
        "accounts",
        help="unlock, reset to the initial password, end sessions",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    specs = [
        ("unlock", "clear failed sign-ins and the lock (password unchanged)", False),
        ("reset", "reset to the initial password 888888 and force activation; ends all sessions", True),
        ("revoke-sessions", "end every session of the resident", True),
    ]
    for name, help_text, destructive in specs:
        command = actions.add_parser(name, help=help_text, description=help_text)
        command.add_argument("id_number", help="the resident's 18-character citizen ID number")
        command.add_argument(
            "--operator", help="who does this (default: the OS user); goes into the audit log"
        )
        if destructive:
            command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        command.set_defaults(func=lambda args, n=name, h=help_text, d=destructive: _run(args, n, h, d))
