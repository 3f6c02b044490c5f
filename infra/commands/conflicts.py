"""`conflicts list|show|resolve`: what record precedence refused (PRODUCT section 3).

An import row that would downgrade a PAID month (rejects file: `conflicts_with_paid`) and a bank
payment for a month already paid are never applied; they wait here until an operator decides:
`--keep-record` (the month stays as it is) or `--apply-row` (an import row is written over the
month, e.g. after the core system recorded a refund). Nothing is resolved silently.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


def _line(c: dict) -> str:
    at = datetime.fromtimestamp(c["created_at"], CHINA).strftime("%Y-%m-%d %H:%M")
    existing = c["existing"] or {}
    return (
        f"  {c['conflict_id']}  {at}  {c['id_masked']} {c['type_code']} {c['period']}  "
        f"row={c['row'].get('status')} record={existing.get('status')}"
        f"({existing.get('source') or '-'})  from {c['origin']}"
    )


def _list(args) -> int:
    from chalicelib.services import record_conflicts

    found = record_conflicts.open_conflicts(limit=args.limit)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(found)} open conflict(s)")
    for c in found:
        print(_line(c))
    return 0


def _show(args) -> int:
    from chalicelib.errors import NotFound
    from chalicelib.services import record_conflicts

    try:
        print(json.dumps(record_conflicts.show(args.conflict_id), ensure_ascii=False, indent=1))
    except NotFound as exc:
        print(exc.message)
        return 1
    return 0


def _resolve(args) -> int:
    from chalicelib.errors import Conflict, NotFound
    from chalicelib.services import record_conflicts

    resolution = record_conflicts.APPLY_ROW if args.apply_row else record_conflicts.KEEP_RECORD
    if resolution == record_conflicts.APPLY_ROW and not args.yes:
        answer = input(f"write the refused row of {args.conflict_id} over the paid month? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing changed")
            return 1
    try:
        done = record_conflicts.resolve(args.conflict_id, resolution, args.note)
    except (NotFound, Conflict) as exc:
        print(exc.message)
        return 1
    print(f"{done['conflict_id']}: {done['resolution']}")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("conflicts", help="records refused by record precedence, to resolve")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="open conflicts, oldest first")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)
    show = actions.add_parser("show", help="one conflict with the refused row and the record it met")
    show.add_argument("conflict_id")
    show.set_defaults(func=_show)
    resolve = actions.add_parser("resolve", help="close a conflict: keep the record or apply the row")
    resolve.add_argument("conflict_id")
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--keep-record", action="store_true", help="the month stays as recorded")
    how.add_argument("--apply-row", action="store_true", help="write the refused import row over the month")
    resolve.add_argument("--note", help="why (kept with the resolution)")
    resolve.add_argument("--yes", action="store_true", help="do not ask for confirmation with --apply-row")
    resolve.set_defaults(func=_resolve)
