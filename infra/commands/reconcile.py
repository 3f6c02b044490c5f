"""`reconcile --bank icbc --statement FILE [--date YYYY-MM-DD] [--apply --yes]`: compare a bank's
daily statement (CSV `bank_txn_id,order_no,amount_fen,status,paid_at`) with the portal's orders
of that day and report every discrepancy by kind. Nothing is repaired silently: `--apply` marks
bank-confirmed payments missing in the portal as PAID through the webhook's own transaction
(`payment_settlement.apply_bank_result`), only for orders still AWAITING_PAYMENT or FAILED whose amount
matches; everything else stays for a person to decide.

Kinds: paid_at_bank_not_in_portal, in_portal_not_at_bank, amount_differs, duplicate_transaction.
Exit code 0 when the statement and the portal agree, 1 when discrepancies were reported.
"""
from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

HEADER = ["bank_txn_id", "order_no", "amount_fen", "status", "paid_at"]
KIND_NAMES = {"paid_at_bank_not_in_portal": "银行已收款，门户未到账",
              "in_portal_not_at_bank": "门户已到账，银行无此交易",
              "amount_differs": "金额不一致",
              "duplicate_transaction": "重复交易"}


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


def read_statement(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != HEADER:
            raise SystemExit(f"{path}: the header must be {','.join(HEADER)}")
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if len(cells) != len(HEADER) or not cells[2].isdigit() or cells[3] not in ("SUCCESS", "FAILED"):
                raise SystemExit(f"{path}:{number}: malformed row {cells}")
            rows.append(Row(cells[0], cells[1], int(cells[2]), cells[3], cells[4]))
    return rows


def statement_day(rows: list[Row]) -> str:
    days = Counter(datetime.fromisoformat(r.paid_at).strftime("%Y-%m-%d") for r in rows if r.paid_at)
    if not days:
        raise SystemExit("the statement has no paid_at dates: give --date YYYY-MM-DD")
    return days.most_common(1)[0][0]


def compare(bank_code: str, day: str, rows: list[Row]) -> list[Discrepancy]:
    from chalicelib.services import payment_orders
    found: list[Discrepancy] = []
    success = [r for r in rows if r.status == "SUCCESS"]
    by_order: dict[str, list[Row]] = defaultdict(list)
    for row in success:
        by_order[row.order_no].append(row)
    txn_counts = Counter(r.bank_txn_id for r in rows)
    reported_duplicates = set()
    for txn, count in txn_counts.items():
        if count > 1:
            same = [r for r in rows if r.bank_txn_id == txn]
            found.append(Discrepancy("duplicate_transaction", same[0].order_no, [txn] * count,
                                     same[0].amount_fen, None, None))
            reported_duplicates.add(same[0].order_no)
    for order_no, order_rows in by_order.items():
        order = payment_orders.find_order(order_no)
        portal_amount = order.total_fen if order else None
        portal_status = order.status if order else None
        txns = [r.bank_txn_id for r in order_rows]
        if len(set(txns)) > 1 and order_no not in reported_duplicates:
            found.append(Discrepancy("duplicate_transaction", order_no, txns, order_rows[0].amount_fen,
                                     portal_amount, portal_status))
        amount = order_rows[0].amount_fen
        if order is not None and order.total_fen != amount:
            found.append(Discrepancy("amount_differs", order_no, txns, amount, portal_amount, portal_status))
        elif order is None or order.status != payment_orders.PAID:
            found.append(Discrepancy("paid_at_bank_not_in_portal", order_no, txns, amount, portal_amount,
                                     portal_status, applicable=order is not None and len(set(txns)) == 1
                                     and order.status in (payment_orders.AWAITING, payment_orders.FAILED)
                                     and order.bank_code == bank_code))
    for order in payment_orders.paid_orders_on(bank_code, day):
        if order.order_no not in by_order:
            found.append(Discrepancy("in_portal_not_at_bank", order.order_no,
                                     [order.bank_txn_id] if order.bank_txn_id else [], None,
                                     order.total_fen, order.status))
    return found


def apply(bank_code: str, rows: list[Row], found: list[Discrepancy]) -> None:
    from chalicelib.services import banks, payment_orders, payment_settlement
    for item in found:
        if item.kind != "paid_at_bank_not_in_portal" or not item.applicable:
            continue
        row = next(r for r in rows if r.order_no == item.order_no and r.status == "SUCCESS")
        result = payment_settlement.BankResult(bank_code=bank_code, event_id=f"reconcile-{row.bank_txn_id}",
                                               order_no=row.order_no, status="SUCCESS", amount_fen=row.amount_fen,
                                               currency=banks.currency(), bank_txn_id=row.bank_txn_id,
                                               paid_at=row.paid_at, source="reconcile",
                                               body=json.dumps(asdict(row), ensure_ascii=False))
        item.applied = payment_settlement.apply_bank_result(
            result, allow_from=(payment_orders.AWAITING, payment_orders.FAILED))


def _print(found: list[Discrepancy], bank: str, day: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=1))
        return
    print(f"reconcile {bank} {day}: {len(found)} discrepanc{'y' if len(found) == 1 else 'ies'}")
    for d in found:
        amounts = f"bank={d.bank_amount_fen} portal={d.portal_amount_fen}"
        extra = f" applied={d.applied}" if d.applied else (" (--apply can post it)" if d.applicable else "")
        print(f"  {d.kind:28s} {KIND_NAMES[d.kind]}  order={d.order_no} txn={','.join(d.bank_txn_ids) or '-'} "
              f"{amounts} portal_status={d.portal_status}{extra}")


def run(args) -> int:
    from chalicelib.services import banks
    banks.get(args.bank)
    rows = read_statement(Path(args.statement))
    day = args.date or statement_day(rows)
    found = compare(args.bank, day, rows)
    if args.apply and any(d.applicable for d in found):
        if not args.yes:
            answer = input(f"post {sum(d.applicable for d in found)} bank-confirmed payment(s) as PAID? [y/N] ")
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
    parser.add_argument("--statement", required=True, help="statement CSV bank_txn_id,order_no,amount_fen,status,paid_at")
    parser.add_argument("--date", help="the statement's day YYYY-MM-DD (default: from its paid_at)")
    parser.add_argument("--apply", action="store_true",
                        help="post bank-confirmed payments missing in the portal (same transaction as the webhook)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation with --apply")
    parser.add_argument("--json", action="store_true", help="print the discrepancies as JSON")
    parser.set_defaults(func=run)
