"""Import one export file of the core system into the stage's tables.

- Every row is validated (`formats.py`) and the person must be known (accounts table, looked
  up once per person); bad rows go to the rejects file (line, reason code, reason, the row).
- Good rows are written with BatchWriteItem, 25 at a time; unprocessed items are retried with
  exponential backoff and jitter; a batch that still fails stops the import (resumable).
  Persons are the exception: they are merged with UpdateItem (name and profile from the core
  system; password, state, phone and e-mail only if the account is new), so a re-import never
  resets a resident's password — BatchWriteItem can only replace whole items.
- Contributions also keep the person/type summaries (services/records.py) right: the months of
  one person, type and status class are gathered while that group's rows keep coming, and the
  updates are sent in file order as TransactWriteItems of up to 100 (`SummaryWriter`) — not one
  UpdateItem per group and batch, which took about as long as writing the rows themselves.
- Idempotent: keys are deterministic and items are rewritten with the same values.
- Resumable: after each written batch a checkpoint (file hash, last line handled, rejects file
  size, counts, the summary updates not sent yet) is saved next to the file; a re-run of the
  same file sends those summary updates, continues after that line and truncates the rejects
  file to where the checkpoint left it. A finished import removes it.
- A progress bar (rich) shows rows and rows/s.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from .formats import FORMATS, Format, Parsed, RowError

BATCH_SIZE = 25
MAX_ATTEMPTS = 8
BASE_DELAY_S = 0.05
MAX_DELAY_S = 5.0


class ImportFileError(Exception):
    """The file as a whole cannot be imported (wrong header, wrong checkpoint, unreadable)."""


class WriteFailed(Exception):
    """A batch could not be written even after the retries; the checkpoint allows resuming."""


@dataclass
class Counts:
    rows: int = 0
    written: int = 0
    rejected: int = 0
    resumed_after_line: int = 0
    batches: int = 0
    retries: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(path: Path) -> int:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def ddb_client():
    import boto3
    from chalicelib import settings
    return boto3.client("dynamodb", region_name=settings.region(), endpoint_url=settings.ddb_endpoint())


class BatchWriter:
    """BatchWriteItem of up to 25 puts to one table, retrying unprocessed items with backoff."""

    def __init__(self, client, table: str, sleep: Callable[[float], None] = time.sleep,
                 counts: Counts | None = None):
        self.client = client
        self.table = table
        self.sleep = sleep
        self.counts = counts or Counts()

    def write(self, items: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in items]
        for attempt in range(MAX_ATTEMPTS):
            answer = self.client.batch_write_item(RequestItems={self.table: requests})
            requests = (answer.get("UnprocessedItems") or {}).get(self.table, [])
            if not requests:
                return
            self.counts.retries += 1
            delay = min(MAX_DELAY_S, BASE_DELAY_S * (2 ** attempt))
            self.sleep(delay / 2 + random.uniform(0, delay / 2))
        raise WriteFailed(f"{len(requests)} items still unprocessed after {MAX_ATTEMPTS} attempts")


SummaryGroup = tuple[str, str, str]  # (id_number, type_code, status class PAID|OWED)
MAX_OPEN_GROUPS = 200
MAX_TRANSACTION_UPDATES = 100  # TransactWriteItems limit
MAX_PENDING_MONTHS = 5000  # keeps the checkpoint small: send once this many months wait
RETRYABLE = {"TransactionCanceledException", "TransactionConflictException", "TransactionInProgressException",
             "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}


class SummaryWriter:
    """The per-person/type summaries of contribution rows, kept in file order with few requests.

    `add(batch)` (after the batch is written) gathers each row's month into the open group of its
    person, type and status class; groups the batch did not touch are closed. A month open in the
    other status class of the same person and type (a later row for the same key) closes that
    person/type's groups first, so updates keep the order of the file. Closed groups wait until
    100 are ready and are then sent as TransactWriteItems of up to 100 summary updates
    (`records.summary_actions`: set ADD/DELETE, so applying one again leaves the item as it was).
    A summary item appears once per transaction: its n-th waiting update goes into the n-th
    transaction or a later one, so the updates of one item are applied in order (updates of
    different items commute). Cancelled or throttled transactions are retried with backoff.
    `pending()` lists the updates not sent yet, in order, for the checkpoint; `restore(pending)`
    takes them back on resume (applying them again in order ends in the same state).
    """

    def __init__(self, client, sleep: Callable[[float], None] = time.sleep, counts: Counts | None = None):
        self.client = client
        self.sleep = sleep
        self.counts = counts or Counts()
        self._open: dict[tuple[str, str], dict[str, set[str]]] = {}
        self._ready: list[tuple[SummaryGroup, set[str]]] = []
        self._ready_listed: list[list[Any]] = []  # the same, as the checkpoint lists them
        self._ready_months = 0

    @staticmethod
    def status_class(status: str) -> str:
        from chalicelib.services.records import PAID_STATUSES
        return "PAID" if status in PAID_STATUSES else status

    def add(self, batch: list[Parsed]) -> None:
        touched: set[tuple[str, str]] = set()
        for parsed in batch:
            type_code, status, period = parsed.summary
            key, status_class = (parsed.id_number, type_code), self.status_class(status)
            groups = self._open.get(key, {})
            if any(period in periods for other, periods in groups.items() if other != status_class):
                self._close(key)
            self._open.setdefault(key, {}).setdefault(status_class, set()).add(period)
            touched.add(key)
        crowded = len(self._open) > MAX_OPEN_GROUPS
        for key in [k for k in self._open if crowded or k not in touched]:
            self._close(key)

    def _close(self, key: tuple[str, str]) -> None:
        for status_class, periods in self._open.pop(key, {}).items():
            self._queue((key[0], key[1], status_class), periods)

    def _queue(self, group: SummaryGroup, periods: set[str]) -> None:
        self._ready.append((group, periods))
        self._ready_listed.append([*group, sorted(periods)])
        self._ready_months += len(periods)
        if len(self._ready) >= MAX_TRANSACTION_UPDATES or self._ready_months >= MAX_PENDING_MONTHS:
            self._send()

    def _transactions(self) -> list[list[tuple[SummaryGroup, set[str]]]]:
        """The waiting updates in transactions: each item once per transaction, in order per item."""
        transactions: list[list[tuple[SummaryGroup, set[str]]]] = []
        last: dict[tuple[str, str], int] = {}
        for group, periods in self._ready:
            index = last.get(group[:2], -1) + 1
            while index < len(transactions) and len(transactions[index]) >= MAX_TRANSACTION_UPDATES:
                index += 1
            if index == len(transactions):
                transactions.append([])
            transactions[index].append((group, periods))
            last[group[:2]] = index
        return transactions

    def _send(self) -> None:
        """Send every waiting update; on failure they all stay waiting (and in the checkpoint)."""
        for transaction in self._transactions():
            self._transact(transaction)
        self._ready.clear()
        self._ready_listed.clear()
        self._ready_months = 0

    def _transact(self, updates: list[tuple[SummaryGroup, set[str]]]) -> None:
        from botocore.exceptions import ClientError
        items = [{"Update": self._update(group, periods)} for group, periods in updates]
        for attempt in range(MAX_ATTEMPTS):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in RETRYABLE or attempt == MAX_ATTEMPTS - 1:
                    raise WriteFailed(f"summary update of {len(updates)} person/type item(s) failed: "
                                      f"{code}: {exc}") from exc
                self.counts.retries += 1
                delay = min(MAX_DELAY_S, BASE_DELAY_S * (2 ** attempt))
                self.sleep(delay / 2 + random.uniform(0, delay / 2))

    @staticmethod
    def _update(group: SummaryGroup, periods: set[str]) -> dict[str, Any]:
        """One summary update as a TransactWriteItems Update (the actions of records.py)."""
        from pynamodb.expressions.update import Update

        from chalicelib.models.contribution_summaries import ContributionSummary
        from chalicelib.services.records import summary_actions
        id_number, type_code, status_class = group
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        expression = Update(*summary_actions(status_class, periods)).serialize(names, values)
        return {"TableName": ContributionSummary.Meta.table_name,
                "Key": {"id_number": {"S": id_number}, "type_code": {"S": type_code}},
                "UpdateExpression": expression,
                "ExpressionAttributeNames": {placeholder: name for name, placeholder in names.items()},
                "ExpressionAttributeValues": values}

    def pending(self) -> list[list[Any]]:
        """Updates not sent yet (closed, then open), in the order they must be applied."""
        return self._ready_listed + [[key[0], key[1], status_class, sorted(periods)]
                                     for key, groups in self._open.items()
                                     for status_class, periods in groups.items()]

    def restore(self, pending: list[list[Any]]) -> None:
        for id_number, type_code, status_class, periods in pending:
            self._queue((id_number, type_code, status_class), set(periods))

    def finish(self) -> None:
        """Close the open groups and send every update not sent yet."""
        for key in list(self._open):
            self._close(key)
        self._send()


class Importer:
    def __init__(self, kind: str, path: Path | str, rejects_path: Path | str | None = None,
                 checkpoint_path: Path | str | None = None, client=None,
                 sleep: Callable[[float], None] = time.sleep, progress: bool = True,
                 batch_size: int = BATCH_SIZE, restart: bool = False):
        if kind not in FORMATS:
            raise ImportFileError(f"unknown kind {kind!r}; known: {', '.join(FORMATS)}")
        if not 1 <= batch_size <= BATCH_SIZE:
            raise ImportFileError("batch size must be 1..25")
        self.format: Format = FORMATS[kind]
        self.path = Path(path)
        if not self.path.is_file():
            raise ImportFileError(f"no such file: {self.path}")
        self.rejects_path = Path(rejects_path) if rejects_path else self.path.with_suffix(".rejects.csv")
        self.checkpoint_path = (Path(checkpoint_path) if checkpoint_path
                                else self.path.with_suffix(".checkpoint.json"))
        self.client = client or ddb_client()
        self.sleep = sleep
        self.progress = progress
        self.batch_size = batch_size
        self.restart = restart
        self.counts = Counts()
        self._known: dict[str, bool] = {}
        self._initial_hash: str | None = None
        self._summaries = (SummaryWriter(self.client, sleep, self.counts)
                           if self.format.kind == "contributions" else None)

    # ---- checkpoint ----------------------------------------------------------------------

    def _load_checkpoint(self, sha: str) -> dict[str, Any] | None:
        if not self.checkpoint_path.exists():
            return None
        if self.restart:
            self.checkpoint_path.unlink()
            return None
        saved = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
        if saved.get("sha256") != sha or saved.get("kind") != self.format.kind:
            raise ImportFileError(f"checkpoint {self.checkpoint_path} belongs to another file or kind; "
                                  "use --restart to discard it")
        return saved

    def _save_checkpoint(self, sha: str, line: int, rejects_offset: int) -> None:
        state = {"sha256": sha, "kind": self.format.kind, "line": line,
                 "rejects_offset": rejects_offset, "counts": asdict(self.counts),
                 "summaries": self._summaries.pending() if self._summaries else []}
        temporary = self.checkpoint_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.checkpoint_path)

    # ---- known persons -------------------------------------------------------------------

    def _person_known(self, id_number: str) -> bool:
        if id_number not in self._known:
            from chalicelib.models.accounts import Account
            answer = self.client.get_item(TableName=Account.Meta.table_name,
                                          Key={"id_number": {"S": id_number}},
                                          ProjectionExpression="id_number")
            if len(self._known) > 200_000:
                self._known.clear()
            self._known[id_number] = "Item" in answer
        return self._known[id_number]

    # ---- writing -------------------------------------------------------------------------

    def _write(self, batch: list[Parsed]) -> None:
        if not batch:
            return
        if self.format.batch_writable:
            table = batch[0].item.Meta.table_name
            BatchWriter(self.client, table, self.sleep, self.counts).write(
                [p.item.serialize() for p in batch])
            if self._summaries is not None:
                self._summaries.add(batch)
        else:
            for parsed in batch:
                self._merge_person(parsed)
                self._known[parsed.id_number] = True
        self.counts.batches += 1
        self.counts.written += len(batch)

    def _merge_person(self, parsed: Parsed) -> None:
        from chalicelib import clock
        from chalicelib.models.accounts import Account
        from chalicelib.security import passwords
        if self._initial_hash is None:
            self._initial_hash = passwords.hash_password(passwords.INITIAL_PASSWORD)
        new = parsed.item
        actions = [Account.name.set(new.name), Account.profile.set(new.profile),
                   Account.password_hash.set(Account.password_hash | self._initial_hash),
                   Account.password_state.set(Account.password_state | "INITIAL"),
                   Account.failed_count.set(Account.failed_count | 0),
                   Account.created_at.set(Account.created_at | int(clock.now()))]
        if new.phone:
            actions.append(Account.phone.set(Account.phone | new.phone))
        if new.email:
            actions.append(Account.email.set(Account.email | new.email))
        Account(id_number=new.id_number).update(actions=actions)

    # ---- the run -------------------------------------------------------------------------

    def _reject(self, writer, line: int, error: RowError, row: dict[str, Any]) -> None:
        writer.writerow([line, error.code, error.message] + [row.get(c) or "" for c in self.format.header])
        self.counts.rejected += 1
        self.counts.reasons[error.code] = self.counts.reasons.get(error.code, 0) + 1

    def _parse(self, row: dict[str, Any]) -> Parsed:
        if None in row or any(v is None for v in row.values()):
            raise RowError("wrong_field_count", "字段个数与表头不一致")
        parsed = self.format.parse(row)
        if self.format.needs_person and not self._person_known(parsed.id_number):
            raise RowError("unknown_person", "参保人不存在（请先导入人员文件）")
        return parsed

    def run(self) -> Counts:
        sha = file_sha256(self.path)
        saved = self._load_checkpoint(sha)
        resume_line = 0
        if saved:
            resume_line = int(saved["line"])
            self.counts = Counts(**saved["counts"])
            self.counts.resumed_after_line = resume_line
            if not self.rejects_path.exists():
                raise ImportFileError(f"rejects file {self.rejects_path} of the interrupted run is missing; "
                                      "use --restart")
            with self.rejects_path.open("r+b") as handle:
                handle.truncate(int(saved["rejects_offset"]))
        if self._summaries is not None:
            self._summaries.counts = self.counts
            if saved:
                self._summaries.restore(saved.get("summaries") or [])
        self._run(sha, saved, resume_line)
        if self._summaries is not None:
            self._summaries.finish()
        self.checkpoint_path.unlink(missing_ok=True)
        return self.counts

    def _run(self, sha: str, saved: dict[str, Any] | None, resume_line: int) -> None:
        total = count_rows(self.path)
        with self.path.open("r", encoding="utf-8-sig", newline="") as source, \
                self.rejects_path.open("a" if saved else "w", encoding="utf-8", newline="") as rejects_file:
            reader = csv.DictReader(source)
            header = tuple(h.strip() for h in (reader.fieldnames or ()))
            if set(header) != set(self.format.header) or len(header) != len(self.format.header):
                raise ImportFileError(f"header must be: {','.join(self.format.header)}")
            rejects = csv.writer(rejects_file)
            if not saved:
                rejects.writerow(["line", "reason_code", "reason", *self.format.header])
            batch: list[Parsed] = []
            keys: set[tuple[str, ...]] = set()
            last_line = resume_line

            def flush() -> None:
                self._write(batch)
                batch.clear()
                keys.clear()
                rejects_file.flush()
                self._save_checkpoint(sha, last_line, rejects_file.tell())

            with _progress(self.progress, total, self.path.name) as advance:
                for row in reader:
                    line = reader.line_num
                    if line <= resume_line:
                        advance(1)
                        continue
                    row = {(k.strip() if isinstance(k, str) else k): v for k, v in row.items()}
                    self.counts.rows += 1
                    try:
                        parsed = self._parse(row)
                    except RowError as error:
                        self._reject(rejects, line, error, row)
                        last_line = line
                        advance(1)
                        continue
                    if parsed.key in keys:  # a later row for the same key wins: write the earlier first
                        flush()
                    batch.append(parsed)
                    keys.add(parsed.key)
                    last_line = line
                    if len(batch) >= self.batch_size:
                        flush()
                    advance(1)
                flush()


class _progress:
    """A rich progress bar with rows/s (or nothing when disabled)."""

    def __init__(self, enabled: bool, total: int, label: str):
        self.enabled = enabled
        self.total = total
        self.label = label
        self._bar = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                   TextColumn, TimeElapsedColumn)
        from rich.text import Text

        class RowsPerSecond(ProgressColumn):
            def render(self, task):  # noqa: D401
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} 行/秒" if speed else "— 行/秒")

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             RowsPerSecond(), TimeElapsedColumn())
        self._bar.__enter__()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
