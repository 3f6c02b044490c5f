"""Payment orders table: flexible-employment contribution orders paid through a bank.

Keys: hash `order_no` ("P" + YYYYMMDD + 10 random upper-case hex characters).
GSI `by_person`: hash `id_number`, range `created_at` (a resident's orders, newest first).
GSI `open_orders` (sparse): hash `open_status` — the status while the order is still open
(DRAFT, CONFIRMED, AWAITING_PAYMENT, FAILED), removed once it is PAID, CANCELLED or EXPIRED —
range `updated_at`; the expiry job reads only the stale open orders.
GSI `by_paid_day` (sparse): hash `paid_day` (YYYY-MM-DD, China time, from the bank's paid_at),
range `order_no` (reconciliation of one day's payments).
`lines`: [{"period", "base_fen", "rate_bp", "amount_fen", "account_fen"}]; money integer fen.
`attempt` counts trips to the bank (a FAILED order may be paid again: same order, new attempt).
`version` increases on every change (optimistic concurrency on amendments).
Resident orders (城乡居民, kinds resident_medical / resident_pension) pay one `year`; `months` is
["YYYY01"] (the period a yearly contribution is posted under) and `insured_id_number` /
`insured_name` say whose record it is for (the payer, `id_number`, or a family member; the
month lock and the posting use the insured person). `level_fen` is the resident pension level.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from .. import settings
from .base import BaseMeta, TableModel


class OrdersByPerson(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_person"
        projection = AllProjection()

    id_number = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class OpenOrders(GlobalSecondaryIndex):
    class Meta:
        index_name = "open_orders"
        projection = KeysOnlyProjection()

    open_status = UnicodeAttribute(hash_key=True)
    updated_at = NumberAttribute(range_key=True)


class OrdersByPaidDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_paid_day"
        projection = AllProjection()

    paid_day = UnicodeAttribute(hash_key=True)
    order_no = UnicodeAttribute(range_key=True)


class PaymentOrder(TableModel):
    class Meta(BaseMeta):
        table_name = settings.table_name("orders")

    order_no = UnicodeAttribute(hash_key=True)
    id_number = UnicodeAttribute()
    kind = UnicodeAttribute()
    type_code = UnicodeAttribute()
    # pynamodb types `of=UnicodeAttribute` as a list of attributes; the values read and written are str
    months: ListAttribute[str] = ListAttribute(of=UnicodeAttribute)  # type: ignore[arg-type]
    base_fen = NumberAttribute()
    lines = JSONAttribute()
    total_fen = NumberAttribute()
    currency = UnicodeAttribute(default="CNY")
    status = UnicodeAttribute()
    open_status = UnicodeAttribute(null=True)
    step = UnicodeAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    attempt = NumberAttribute(default=0)
    version = NumberAttribute(default=1)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    paid_at = UnicodeAttribute(null=True)
    paid_day = UnicodeAttribute(null=True)
    bank_txn_id = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute(null=True)
    closed_reason = UnicodeAttribute(null=True)
    year = NumberAttribute(null=True)
    insured_id_number = UnicodeAttribute(null=True)
    insured_name = UnicodeAttribute(null=True)
    level_fen = NumberAttribute(null=True)
    by_person = OrdersByPerson()
    open_orders = OpenOrders()
    by_paid_day = OrdersByPaidDay()
