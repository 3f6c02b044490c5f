"""`reconcile --bank icbc --statement FILE [--date YYYY-MM-DD] [--apply --yes]`: compare a bank's
daily statement (CSV `bank_txn_id,order_no,amount_fen,status,paid_at`) with the portal's orders
of that day and report every discrepancy by kind. Nothing is repaired silently: `--apply` marks
bank-confirmed payments missing in the portal as PAID through the webhook's own transaction
(`payment_settlement.apply_bank_result`), only for orders still AWAITING_PAYMENT or FAILED whose amount
matches; everything else stays for a person to decide.

Kinds: paid_at_bank_not_in_portal, in_portal_not_at_bank, amount_differs (every statement line
of an order is compared), duplicate_transaction (a bank transaction listed twice, or one order
paid by several transactions; the portal's amount and status shown beside it).
Exit code 0 when the statement and the portal agree, 1 when discrepancies were reported, 2 when
the statement cannot be read (missing, wrong header, malformed row) or the bank is unknown.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

HEADER = ["bank_txn_id", "order_no", "amount_fen", "status", "paid_at"]
KIND_NAMES = {
    "paid_at_bank_not_in_portal": "银行已收款，门户未到账",
    "in_portal_not_at_bank": "门户已到账，银行无此交易",
    "amount_differs": "金额不一致",
    "duplicate_transaction": "重复交易",
}


@dataclass
class Row:
    bank_txn_id: str
    order_no: str
    amount_fen: int
    status: str
    paid_at: str


@dataclass
class Discrepancy:
    kind: str
    order_no: str
    bank_txn_ids: list[str]
    bank_amount_fen: int | None
    portal_amount_fen: int | None
    portal_status: str | None
    applicable: bool = False
    applied: str | None = None


class StatementError(Exception):
    """The statement cannot be used as it is (told to the operator, exit code 2)."""


def read_statement(path: Path) -> list[Row]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != HEADER:
                raise StatementError(f"{path}: the header must be {','.join(HEADER)}")
            rows = []
            for number, cells in enumerate(reader, start=2):
                if not cells:
                    continue
                if (
                    len(cells) != len(HEADER)
                    or not cells[2].isdigit()
                    or cells[3] not in ("SUCCESS", "FAILED")
                ):
                    raise StatementError(f"{path}:{number}: malformed row {cells}")
                rows.append(Row(cells[0], cells[1], int(cells[2]), cells[3], cells[4]))
    except FileNotFoundError:
        raise StatementError(f"{path}: no such statement file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise StatementError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    return rows


def statement_day(rows: list[Row]) -> str:
    try:
        days = Counter(datetime.fromisoformat(r.paid_at).strftime("%Y-%m-%d") for r in rows if r.paid_at)
    except ValueError as exc:
        raise StatementError(f"a paid_at is not an ISO date-time ({exc}): give --date YYYY-MM-DD") from None
    if not days:
        raise StatementError("the statement has no paid_at dates: give --date YYYY-MM-DD")
    return days.most_common(1)[0][0]


def compare(bank_code: str, day: str, rows: list[Row]) -> list[Discrepancy]:
    from chalicelib.services import payment_orders

    found: list[Discrepancy] = []
    orders = {no: payment_orders.find_order(no) for no in dict.fromkeys(r.order_no for r in rows)}

    def portal(order_no: str) -> tuple[int | None, str | None]:
        order = orders.get(order_no)
        return (order.total_fen, order.status) if order else (None, None)

    by_order: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.status == "SUCCESS":
            by_order[row.order_no].append(row)
    txn_counts = Counter(r.bank_txn_id for r in rows)
    reported_duplicates = set()
    for txn, count in txn_counts.items():
        if count > 1:
            same = [r for r in rows if r.bank_txn_id == txn]
            found.append(
                Discrepancy(
                    "duplicate_transaction",
                    same[0].order_no,
                    [txn] * count,
                    same[0].amount_fen,
                    *portal(same[0].order_no),
                )
            )
            reported_duplicates.add(same[0].order_no)
    for order_no, order_rows in by_order.items():
        order = orders[order_no]
        portal_amount, portal_status = portal(order_no)
        txns = list(dict.fromkeys(r.bank_txn_id for r in order_rows))
        if len(txns) > 1 and order_no not in reported_duplicates:
            found.append(
                Discrepancy(
                    "duplicate_transaction",
                    order_no,
                    txns,
                    order_rows[0].amount_fen,
                    portal_amount,
                    portal_status,
                )
            )
        # every line of the order is compared, each differing amount reported once
        differing = {
            (r.bank_txn_id, r.amount_fen)
            for r in order_rows
            if order is not None and r.amount_fen != order.total_fen
        }
        for txn, amount in sorted(differing):
            found.append(Discrepancy("amount_differs", order_no, [txn], amount, portal_amount, portal_status))
        if not differing and (order is None or order.status != payment_orders.PAID):
            found.append(
                Discrepancy(
                    "paid_at_bank_not_in_portal",
                    order_no,
                    txns,
                    order_rows[0].amount_fen,
                    portal_amount,
                    portal_status,
                    applicable=order is not None
                    and len(txns) == 1
                    and order.status in (payment_orders.AWAITING, payment_orders.FAILED)
                    and order.bank_code == bank_code,
                )
            )
    for order in payment_orders.paid_orders_on(bank_code, day):
        if order.order_no not in by_order:
            found.append(
                Discrepancy(
                    "in_portal_not_at_bank",
                    order.order_no,
                    [order.bank_txn_id] if order.bank_txn_id else [],
                    None,
                    order.total_fen,
                    order.status,
                )
            )
    return found


def apply(bank_code: str, rows: list[Row], found: list[Discrepancy]) -> None:
    from chalicelib.services import banks, payment_orders, payment_settlement

    for item in found:
        if item.kind != "paid_at_bank_not_in_portal" or not item.applicable:
            continue
        row = next(r for r in rows if r.order_no == item.order_no and r.status == "SUCCESS")
        result = payment_settlement.BankResult(
            bank_code=bank_code,
            event_id=f"reconcile-{row.bank_txn_id}",
            order_no=row.order_no,
            status="SUCCESS",
            amount_fen=row.amount_fen,
            currency=banks.currency(),
            bank_txn_id=row.bank_txn_id,
            paid_at=row.paid_at,
            source="reconcile",
            body=json.dumps(asdict(row), ensure_ascii=False),
        )
        item.applied = payment_settlement.apply_bank_result(
            result, allow_from=(payment_orders.AWAITING, payment_orders.FAILED)
        )


def _print(found: list[Discrepancy], bank: str, day: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=1))
        return
    print(f"reconcile {bank} {day}: {len(found)} discrepanc{'y' if len(found) == 1 else 'ies'}")
    for d in found:
        amounts = f"bank={d.bank_amount_fen} portal={d.portal_amount_fen}"
        extra = f" applied={d.applied}" if d.applied else (" (--apply can post it)" if d.applicable else "")
        print(
            f"  {d.kind:28s} {KIND_NAMES[d.kind]}  order={d.order_no} txn={','.join(d.bank_txn_ids) or '-'} "
            f"{amounts} portal_status={d.portal_status}{extra}"
        )


def run(args) -> int:
    import sys

    from chalicelib.errors import NotFound
    from chalicelib.services import banks

    try:
        banks.get(args.bank)
        rows = read_statement(Path(args.statement))
        day = args.date or statement_day(rows)
    except NotFound:
        print(f"reconcile: unknown bank {args.bank!r}", file=sys.stderr)
        return 2
    except StatementError as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return 2
    found = compare(args.bank, day, rows)
    if args.apply and any(d.applicable for d in found):
        if not args.yes:
            answer = input(
                f"post {sum(d.applicable for d in found)} bank-confirmed payment(s) as PAID? [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing applied")
                _print(found, args.bank, day, args.json)
                return 1
        apply(args.bank, rows, found)
    _print(found, args.bank, day, args.json)
    return 1 if found else 0


def register(sub) -> None:
    parser = sub.add_parser("reconcile", help="compare a bank's daily statement with the portal's payments")
    parser.add_argument("--bank", required=True, help="bank code: icbc, ccb, abc")
    parser.add_argument(
        "--statement", required=True, help="statement CSV bank_txn_id,order_no,amount_fen,status,paid_at"
    )
    parser.add_argument("--date", help="the statement's day YYYY-MM-DD (default: from its paid_at)")
    parser.add_argument(
        "--apply",
        action="store_true",
        help="post bank-confirmed payments missing in the portal (same transaction as the webhook)",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation with --apply")
    parser.add_argument("--json", action="store_true", help="print the discrepancies as JSON")
    parser.set_defaults(func=run)
