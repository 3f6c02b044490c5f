"""What every ops command shares: exit codes, the operator's name, confirmation, ID checks."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2
SOURCE = "ops-cli"  # the "source IP" of audit events written by the CLI


def operator(args) -> str:
    return getattr(args, "operator", None) or getpass.getuser()


def confirm(args, what: str) -> bool:
    """True with --yes, or when the operator types yes at a terminal; never asks without one."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print(f"refused: {what} needs --yes (no terminal to ask on)", file=sys.stderr)
        return False
    if input(f"{what}? Type yes to continue: ").strip().lower() != "yes":
        print("cancelled", file=sys.stderr)
        return False
    return True


def checked_id(raw: str | None) -> str | None:
    """The canonical ID number, or None after printing why it is not one."""
    from chalicelib import id_number

    value = (raw or "").strip().upper()
    if not id_number.is_valid(value):
        print(f"error: {raw!r} is not a valid 18-character citizen ID number", file=sys.stderr)
        return None
    return value


def when(ts: int | None) -> str:
    """Unix seconds as China time, '-' for none."""
    from chalicelib import clock

    return datetime.fromtimestamp(ts, clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M") if ts else "-"
