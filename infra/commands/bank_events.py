"""`bank-events flagged`: signed bank notifications that did not match their order (for review)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone


def _flagged(args) -> int:
    from chalicelib.services import payment_settlement

    events = payment_settlement.flagged_events(limit=args.limit)
    if args.json:
        print(json.dumps(events, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(events)} flagged bank notification(s)")
    china = timezone(timedelta(hours=8))
    for e in events:
        at = datetime.fromtimestamp(e["received_at"], china).strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"  {at}  {e['event_key']:32s} order={e['order_no']} amount_fen={e['amount_fen']} "
            f"status={e['status']} reason={e['reason']} source={e['source']}"
        )
    return 0


def register(sub) -> None:
    parser = sub.add_parser("bank-events", help="bank notifications held for review")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    flagged = actions.add_parser("flagged", help="list signed notifications that did not match their order")
    flagged.add_argument("--limit", type=int, default=100)
    flagged.add_argument("--json", action="store_true")
    flagged.set_defaults(func=_flagged)
