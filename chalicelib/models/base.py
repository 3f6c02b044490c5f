"""The DynamoDB plumbing every table model and service shares.

- `TableModel`: base class of every model (one module per table, `models/registry.py`).
- One botocore session and one `Connection` (client configuration from `settings.DDB_*`:
  timeouts and retry budget) for all tables and transactions of the process: a new session per
  table cost 50–450 ms on the first call; with one session a further table costs a few ms.
- `transaction()`: a TransactWriteItems on that connection.
- `condition_failed(exc)` / `on_condition_failed(error)`: a write refused because its condition
  (or one in a transaction) did not hold becomes a domain error, in one place.
- `configure()`: point every model at an endpoint, region and table prefix after import (tests,
  local stack); by default from the stage's environment, read at that moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import botocore.session
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import PynamoDBException, TableError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .. import settings

# DynamoDB's answers when a condition did not hold: a single write, or one item of a transaction.
CONDITION_FAILED_CODES = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})


class BaseMeta:
    region = settings.region()
    host = settings.ddb_endpoint()
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = settings.DDB_CONNECT_TIMEOUT_S
    read_timeout_seconds = settings.DDB_READ_TIMEOUT_S
    # pynamodb also uses this as the number of rounds for a batch write's unprocessed items.
    max_retry_attempts = settings.DDB_MAX_ATTEMPTS


_lock = threading.RLock()  # the client property reads the session under it
_session: botocore.session.Session | None = None
_connections: dict[tuple[str, str | None], SharedConnection] = {}
_models: list[type[TableModel]] = []
_prefix = settings.table_prefix()  # the prefix the models' table names were built with


def session() -> botocore.session.Session:
    """The process's botocore session (its loaders cache the service model: created once)."""
    global _session
    with _lock:
        if _session is None:
            _session = botocore.session.get_session()
        return _session


class SharedConnection(Connection):
    """A pynamodb Connection on the shared session; its client is created once, under a lock
    (botocore client creation is not thread-safe), then shared by all threads."""

    @property
    def session(self) -> botocore.session.Session:
        return session()

    @property
    def client(self) -> Any:
        with _lock:
            return super().client


def connection() -> SharedConnection:
    """The connection for the models' current region and endpoint (one per process)."""
    key = (BaseMeta.region, BaseMeta.host)
    with _lock:
        if key not in _connections:
            _connections[key] = SharedConnection(
                region=BaseMeta.region,
                host=BaseMeta.host,
                connect_timeout_seconds=settings.DDB_CONNECT_TIMEOUT_S,
                read_timeout_seconds=settings.DDB_READ_TIMEOUT_S,
                retry_configuration={"mode": "standard", "total_max_attempts": settings.DDB_MAX_ATTEMPTS},
            )
        return _connections[key]


class TableModel(Model):
    """Base of every table model: all of them talk through `connection()`."""

    _short_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._short_name = cls.Meta.table_name.removeprefix(_prefix)
        _models.append(cls)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # pynamodb builds a TableConnection (with its own Connection) per model; keep its table
        # schema but swap in the shared connection.
        table_connection = super()._get_connection()
        shared = connection()
        if table_connection.connection is not shared:
            try:
                shared.get_meta_table(cls.Meta.table_name)
            except TableError:
                shared.add_meta_table(table_connection.get_meta_table())
            table_connection.connection = shared
        return table_connection


def configure(
    *, endpoint: str | None = None, region: str | None = None, table_prefix: str | None = None
) -> None:
    """Point every model at `endpoint` (None: the real service), `region` and `table_prefix`.

    Called without arguments it re-reads the stage's environment (`DDB_ENDPOINT`, `AWS_REGION`,
    `TABLE_PREFIX`). Connections made before are dropped.
    """
    global _prefix
    from . import registry  # noqa: F401, PLC0415  (imports every model into `_models`; registry imports base)

    BaseMeta.host = endpoint if endpoint is not None else settings.ddb_endpoint()
    BaseMeta.region = region or settings.region()
    _prefix = table_prefix if table_prefix is not None else settings.table_prefix()
    with _lock:
        _connections.clear()
    for model in _models:
        model.Meta.table_name = f"{_prefix}{model._short_name}"
        model._connection = None


def transaction() -> TransactWrite:
    """A TransactWriteItems on the shared connection: `with transaction() as tx: tx.save(...)`."""
    return TransactWrite(connection=connection())


def condition_failed(exc: PynamoDBException) -> bool:
    """True when DynamoDB refused the write because a condition did not hold (or, in a
    transaction, one item's condition failed or it collided with another transaction).

    Never raises: pynamodb's own `cause_response_code` raises AttributeError when the cause (a
    read timeout, say) carries `response = None` — which turned a storage hang into a 500.
    """
    response = getattr(getattr(exc, "cause", None), "response", None)
    code = ((response.get("Error") or {}).get("Code")) if isinstance(response, dict) else None
    return code in CONDITION_FAILED_CODES


@contextmanager
def on_condition_failed(error: Exception | Callable[[], Exception]) -> Iterator[None]:
    """Raise `error` (or what calling it returns) if a write in the block is refused by its
    condition; any other failure propagates as it is."""
    try:
        yield
    except PynamoDBException as exc:
        if not condition_failed(exc):
            raise
        raise (error() if callable(error) else error) from None
