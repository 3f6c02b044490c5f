"""Import one export file of the core system into the stage's tables.

- Every row is validated (`formats.py`) and the person must be known (accounts table: the
  persons of the next 2,000 rows are looked up together with BatchGetItem of up to 100 keys);
  bad rows go to the rejects file (line, reason code, reason, the row).
- A key that comes again with other values is rejected as `duplicate_key` (the first row
  stands); the same row again is skipped (`repeated`).
- Good rows are written with BatchWriteItem, 25 at a time; unprocessed items are retried with
  exponential backoff and jitter; a batch that still fails stops the import (resumable).
  Several batches are written at once by worker threads (`workers`) while the main thread
  reads and checks on; results are booked in file order (`_Pipeline`).
  Persons are the exception: they are merged with UpdateItem (name and profile from the core
  system; password, state, phone and e-mail only if the account is new), so a re-import never
  resets a resident's password — BatchWriteItem can only replace whole items.
- Contributions are the other exception (`ContributionWriter`): record precedence. Each batch
  is TransactWriteItems of conditional Puts (`records.precedence_condition`, the condition the
  payment settlement posts under: a PAID month is never downgraded) together with the
  person/type summary updates, so a month and its summary never disagree, even while payments
  settle. A refused row goes to the rejects file as `conflicts_with_paid` and to the conflicts
  list (`services/record_conflicts.py`, `python -m infra conflicts`).
- Idempotent: keys are deterministic and items are rewritten with the same values.
- Resumable: after each written batch a checkpoint (file hash, last line handled, rejects file
  size, counts) is saved next to the file; a re-run of the same file reads the keys of the
  lines before (for `duplicate_key`), continues after that line and truncates the rejects file
  to where the checkpoint left it. A finished import removes it.
- A progress bar (rich) shows rows and rows/s.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .formats import FORMATS, Format, Parsed, RowError, valid_id

BATCH_SIZE = 25
WORKERS = 4  # chunks written at once (threads); 1 = one at a time
MAX_WORKERS = 16
MAX_CHUNK_LINES = 2000  # lines held before they are booked (a file of mostly rejected rows)
PERSON_LOOKUP_BATCH = 100  # BatchGetItem limit
READ_AHEAD_ROWS = 2000  # rows read ahead to look their persons up together
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
    repeated: int = 0
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

    def __init__(
        self, client, table: str, sleep: Callable[[float], None] = time.sleep, counts: Counts | None = None
    ):
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
            delay = min(MAX_DELAY_S, BASE_DELAY_S * (2**attempt))
            self.sleep(delay / 2 + random.uniform(0, delay / 2))
        raise WriteFailed(f"{len(requests)} items still unprocessed after {MAX_ATTEMPTS} attempts")


MAX_TRANSACTION_ITEMS = 100  # TransactWriteItems limit
RETRYABLE = {
    "TransactionConflictException",
    "TransactionInProgressException",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
}
CONFLICTS_WITH_PAID = RowError(
    "conflicts_with_paid", "该月已缴费（到账），不能改为其他状态；已列入记录冲突，由经办人员处理"
)


class ContributionWriter:
    """Contribution rows under record precedence (PRODUCT section 3), with their summaries.

    A batch is written as TransactWriteItems: one Put per row, under the condition of
    `records.precedence_condition` (the same one the payment settlement posts under: an OWED
    row may not overwrite a PAID or BACKPAID month), and one Update per person/type summary
    item (`records.summary_actions`) — so a month and its summary change together or not at
    all, whatever a payment or another import does at the same moment. A transaction may touch
    an item once: a person/type whose rows in the batch are partly paid and partly owed is split
    over two transactions. When conditions fail, DynamoDB names the refused Puts
    (CancellationReasons): those rows are returned as refused and the rest is sent again.
    Collisions with other transactions and throttling are retried with backoff.
    """

    def __init__(self, client, sleep: Callable[[float], None] = time.sleep, counts: Counts | None = None):
        self.client = client
        self.sleep = sleep
        self.counts = counts or Counts()

    @staticmethod
    def status_class(status: str) -> str:
        from chalicelib.services.records import PAID_STATUSES

        return "PAID" if status in PAID_STATUSES else status

    def write(self, batch: list[Parsed]) -> list[Parsed]:
        """Write the batch (keys unique within it); return the rows refused by precedence."""
        refused: list[Parsed] = []
        for group in self._transactions(batch):
            refused += self._transact(group)
        return refused

    def _transactions(self, batch: list[Parsed]) -> list[list[Parsed]]:
        """Each person/type in one status class per transaction; puts + updates ≤ 100."""
        groups: list[tuple[dict[tuple[str, str], str], list[Parsed]]] = []
        for parsed in batch:
            type_code, status, _ = parsed.summary
            key, status_class = (parsed.id_number, type_code), self.status_class(status)
            for classes, rows in groups:
                if (
                    classes.get(key, status_class) == status_class
                    and len(rows) + len(classes) + (key not in classes) < MAX_TRANSACTION_ITEMS
                ):
                    classes[key] = status_class
                    rows.append(parsed)
                    break
            else:
                groups.append(({key: status_class}, [parsed]))
        return [rows for _, rows in groups]

    def _transact(self, rows: list[Parsed]) -> list[Parsed]:
        from botocore.exceptions import ClientError

        refused: list[Parsed] = []
        attempt = 0
        while rows:
            try:
                self.client.transact_write_items(TransactItems=self._items(rows))
                return refused
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
                failed = {
                    i for i, reason in enumerate(reasons[: len(rows)]) if reason == "ConditionalCheckFailed"
                }
                if code == "TransactionCanceledException" and failed:
                    refused += [r for i, r in enumerate(rows) if i in failed]
                    rows = [r for i, r in enumerate(rows) if i not in failed]
                    continue
                retryable = code in RETRYABLE or (
                    code == "TransactionCanceledException"
                    and all(
                        reason
                        in (
                            None,
                            "None",
                            "TransactionConflict",
                            "ThrottlingError",
                            "ProvisionedThroughputExceeded",
                        )
                        for reason in reasons
                    )
                )
                if not retryable or attempt == MAX_ATTEMPTS - 1:
                    raise WriteFailed(
                        f"contribution transaction of {len(rows)} row(s) failed: {code}: {exc}"
                    ) from exc
                self.counts.retries += 1
                delay = min(MAX_DELAY_S, BASE_DELAY_S * (2**attempt))
                self.sleep(delay / 2 + random.uniform(0, delay / 2))
                attempt += 1
        return refused

    @staticmethod
    def _items(rows: list[Parsed]) -> list[dict[str, Any]]:
        """The Puts (in the order of `rows`, so CancellationReasons index them) then the updates."""
        from chalicelib.services.records import precedence_condition

        items: list[dict[str, Any]] = []
        months: dict[tuple[str, str, str], set[str]] = {}
        for parsed in rows:
            type_code, status, period = parsed.summary
            put: dict[str, Any] = {"TableName": parsed.item.Meta.table_name, "Item": parsed.item.serialize()}
            condition = precedence_condition(status, restate_paid=True)
            if condition is not None:
                put.update(_expression("ConditionExpression", condition))
            items.append({"Put": put})
            group = (parsed.id_number, type_code, ContributionWriter.status_class(status))
            months.setdefault(group, set()).add(period)
        items += [{"Update": _summary_update(group, periods)} for group, periods in months.items()]
        return items


def _expression(field_name: str, expression: Any) -> dict[str, Any]:
    """A pynamodb condition or update as the low-level request fields."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    text = expression.serialize(names, values)
    out: dict[str, Any] = {
        field_name: text,
        "ExpressionAttributeNames": {placeholder: name for name, placeholder in names.items()},
    }
    if values:
        out["ExpressionAttributeValues"] = values
    return out


def _summary_update(group: tuple[str, str, str], periods: set[str]) -> dict[str, Any]:
    """One summary update (the actions of records.py) as a TransactWriteItems Update."""
    from pynamodb.expressions.update import Update

    from chalicelib.models.contribution_summaries import ContributionSummary
    from chalicelib.services.records import summary_actions

    id_number, type_code, status_class = group
    return {
        "TableName": ContributionSummary.Meta.table_name,
        "Key": {"id_number": {"S": id_number}, "type_code": {"S": type_code}},
        **_expression("UpdateExpression", Update(*summary_actions(status_class, periods))),
    }


class Importer:
    def __init__(
        self,
        kind: str,
        path: Path | str,
        rejects_path: Path | str | None = None,
        checkpoint_path: Path | str | None = None,
        client=None,
        sleep: Callable[[float], None] = time.sleep,
        progress: bool = True,
        batch_size: int | None = None,
        restart: bool = False,
        workers: int | None = None,
    ):
        if kind not in FORMATS:
            raise ImportFileError(f"unknown kind {kind!r}; known: {', '.join(FORMATS)}")
        self.format: Format = FORMATS[kind]
        largest = max_batch_size(kind)
        batch_size = largest if batch_size is None else batch_size
        if not 1 <= batch_size <= largest:
            raise ImportFileError(f"batch size for {kind} must be 1..{largest}")
        workers = WORKERS if workers is None else workers
        if not 1 <= workers <= MAX_WORKERS:
            raise ImportFileError(f"workers must be 1..{MAX_WORKERS}")
        self.path = Path(path)
        if not self.path.is_file():
            raise ImportFileError(f"no such file: {self.path}")
        self.rejects_path = Path(rejects_path) if rejects_path else self.path.with_suffix(".rejects.csv")
        self.checkpoint_path = (
            Path(checkpoint_path) if checkpoint_path else self.path.with_suffix(".checkpoint.json")
        )
        self.client = client or ddb_client()
        self.sleep = sleep
        self.progress = progress
        self.batch_size = batch_size
        self.workers = workers
        self.restart = restart
        self.counts = Counts()
        self._known: dict[str, bool] = {}
        self._initial_hash: str | None = None
        self._seen: dict[int, int] = {}  # hash of each key written or skipped → hash of its values
        self.columns: tuple[str, ...] = self.format.header  # the file's columns (optional ones added)

    # ---- checkpoint ----------------------------------------------------------------------

    def _load_checkpoint(self, sha: str) -> dict[str, Any] | None:
        if not self.checkpoint_path.exists():
            return None
        if self.restart:
            self.checkpoint_path.unlink()
            return None
        saved = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
        if saved.get("sha256") != sha or saved.get("kind") != self.format.kind:
            raise ImportFileError(
                f"checkpoint {self.checkpoint_path} belongs to another file or kind; "
                "use --restart to discard it"
            )
        return saved

    def _save_checkpoint(self, sha: str, line: int, rejects_offset: int) -> None:
        state = {
            "sha256": sha,
            "kind": self.format.kind,
            "line": line,
            "rejects_offset": rejects_offset,
            "counts": asdict(self.counts),
        }
        temporary = self.checkpoint_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.checkpoint_path)

    # ---- known persons -------------------------------------------------------------------

    def _look_up_persons(self, rows: list[dict[str, Any]]) -> None:
        """Which of the persons of the coming rows exist: BatchGetItem of up to 100 keys, instead
        of one GetItem per person. A person left out here is looked up alone later."""
        from chalicelib.models.accounts import Account

        numbers = (value.strip().upper() for row in rows if isinstance(value := row.get("id_number"), str))
        wanted = [n for n in dict.fromkeys(numbers) if n not in self._known and valid_id(n)]
        if len(self._known) + len(wanted) > 200_000:
            self._known.clear()
        table = Account.Meta.table_name
        for start in range(0, len(wanted), PERSON_LOOKUP_BATCH):
            chunk = wanted[start : start + PERSON_LOOKUP_BATCH]
            keys = [{"id_number": {"S": number}} for number in chunk]
            found: set[str] = set()
            for attempt in range(MAX_ATTEMPTS):
                answer = self.client.batch_get_item(
                    RequestItems={
                        table: {"Keys": keys, "ProjectionExpression": "id_number", "ConsistentRead": True}
                    }
                )
                found.update(item["id_number"]["S"] for item in answer.get("Responses", {}).get(table, []))
                keys = (answer.get("UnprocessedKeys") or {}).get(table, {}).get("Keys", [])
                if not keys:
                    break
                self.counts.retries += 1
                delay = min(MAX_DELAY_S, BASE_DELAY_S * (2**attempt))
                self.sleep(delay / 2 + random.uniform(0, delay / 2))
            left = {k["id_number"]["S"] for k in keys}
            for number in chunk:
                if number not in left:
                    self._known[number] = number in found

    def _read_ahead(self, reader: csv.DictReader, resume_line: int):
        """The rows (their line in `self._line`), the persons of each chunk looked up first."""
        chunk: list[tuple[int, dict[str, Any]]] = []

        def emit():
            if self.format.needs_person:
                self._look_up_persons([row for line, row in chunk if line > resume_line])
            for line, row in chunk:
                self._line = line
                yield row
            chunk.clear()

        for row in reader:
            chunk.append((reader.line_num, row))
            if len(chunk) >= READ_AHEAD_ROWS:
                yield from emit()
        yield from emit()

    def _person_known(self, id_number: str) -> bool:
        if id_number not in self._known:
            from chalicelib.models.accounts import Account

            answer = self.client.get_item(
                TableName=Account.Meta.table_name,
                Key={"id_number": {"S": id_number}},
                ProjectionExpression="id_number",
            )
            if len(self._known) > 200_000:
                self._known.clear()
            self._known[id_number] = "Item" in answer
        return self._known[id_number]

    # ---- writing -------------------------------------------------------------------------

    def _write(self, chunk: _Chunk) -> list[Parsed]:
        """Write a chunk's rows (in a worker thread); return the rows refused by record precedence
        (contributions only). Retries are counted in the chunk's own counts."""
        batch = chunk.rows
        if not batch:
            return []
        if self.format.kind == "contributions":
            return ContributionWriter(self.client, self.sleep, chunk.counts).write(batch)
        if self.format.batch_writable:
            table = batch[0].item.Meta.table_name
            BatchWriter(self.client, table, self.sleep, chunk.counts).write(
                [p.item.serialize() for p in batch]
            )
        else:
            for parsed in batch:
                self._merge_person(parsed)
        return []

    def _list_conflict(self, parsed: Parsed) -> None:
        """A refused row goes to the conflicts list (`python -m infra conflicts`) as well."""
        from chalicelib.services import record_conflicts

        type_code, _, period = parsed.summary
        record_conflicts.record(
            "import_row",
            parsed.id_number,
            type_code,
            period,
            parsed.item.values,
            f"import:{self.path.name}:{parsed.extra['line']}",
        )

    def _merge_person(self, parsed: Parsed) -> None:
        from chalicelib import clock
        from chalicelib.models.accounts import Account

        assert self._initial_hash is not None  # made in _run, before the workers start
        new = parsed.item
        actions = [
            Account.name.set(new.name),
            Account.profile.set(new.profile),
            Account.password_hash.set(Account.password_hash | self._initial_hash),
            Account.password_state.set(Account.password_state | "INITIAL"),
            Account.failed_count.set(Account.failed_count | 0),
            Account.created_at.set(Account.created_at | int(clock.now())),
        ]
        if new.phone:
            actions.append(Account.phone.set(Account.phone | new.phone))
        if new.email:
            actions.append(Account.email.set(Account.email | new.email))
        Account(id_number=new.id_number).update(actions=actions)

    # ---- the run -------------------------------------------------------------------------

    def _reject(self, writer, line: int, error: RowError, row: dict[str, Any]) -> None:
        writer.writerow([line, error.code, error.message] + [row.get(c) or "" for c in self.columns])
        self.counts.rejected += 1
        self.counts.reasons[error.code] = self.counts.reasons.get(error.code, 0) + 1

    def _parse(self, row: dict[str, Any]) -> Parsed | None:
        """The row to write, or None when it repeats an earlier row exactly."""
        if None in row or any(v is None for v in row.values()):
            raise RowError("wrong_field_count", "字段个数与表头不一致")
        parsed = self.format.parse(row)
        if not self._first_time(parsed, row):
            return None
        if self.format.needs_person and not self._person_known(parsed.id_number):
            raise RowError("unknown_person", "参保人不存在（请先导入人员文件）")
        return parsed

    def _values_hash(self, row: dict[str, Any]) -> int:
        return hash(tuple((row.get(c) or "").strip() for c in self.columns))

    def _first_time(self, parsed: Parsed, row: dict[str, Any]) -> bool:
        """False when the row repeats an earlier row of the file exactly (nothing to write).
        A key seen before with other values is refused (`duplicate_key`): the file contradicts
        itself, the first row stands and the repeat goes to the rejects file."""
        key, values = hash(parsed.key), self._values_hash(row)
        seen = self._seen.get(key)
        if seen is None:
            self._seen[key] = values
            return True
        if seen != values:
            raise RowError("duplicate_key", "同一文件中该记录重复出现且内容不同（以首次出现的行为准）")
        return False

    def _remember(self, row: dict[str, Any]) -> None:
        """On resume: the keys of the lines handled before, as the interrupted run saw them."""
        if None in row or any(v is None for v in row.values()):
            return
        try:
            parsed = self.format.parse(row)
        except RowError:
            return
        self._seen.setdefault(hash(parsed.key), self._values_hash(row))

    def run(self) -> Counts:
        sha = file_sha256(self.path)
        saved = self._load_checkpoint(sha)
        resume_line = 0
        if saved:
            resume_line = int(saved["line"])
            self.counts = Counts(**saved["counts"])
            self.counts.resumed_after_line = resume_line
            if not self.rejects_path.exists():
                raise ImportFileError(
                    f"rejects file {self.rejects_path} of the interrupted run is missing; use --restart"
                )
            with self.rejects_path.open("r+b") as handle:
                handle.truncate(int(saved["rejects_offset"]))
        self._run(sha, saved, resume_line)
        self.checkpoint_path.unlink(missing_ok=True)
        return self.counts

    def _run(self, sha: str, saved: dict[str, Any] | None, resume_line: int) -> None:
        total = count_rows(self.path) if self.progress else 0  # only the progress bar needs it
        with (
            self.path.open("r", encoding="utf-8-sig", newline="") as source,
            self.rejects_path.open("a" if saved else "w", encoding="utf-8", newline="") as rejects_file,
        ):
            reader = csv.DictReader(source)
            header = tuple(h.strip() for h in (reader.fieldnames or ()))
            columns = self.format.columns_of(header)
            if columns is None:
                optional = f" (optional: {','.join(self.format.optional)})" if self.format.optional else ""
                raise ImportFileError(f"header must be: {','.join(self.format.header)}{optional}")
            self.columns = columns
            rejects = csv.writer(rejects_file)
            if not saved:
                rejects.writerow(["line", "reason_code", "reason", *columns])
            if self.format.kind == "persons":  # made once, before the workers that share it start
                from chalicelib.security import passwords

                self._initial_hash = passwords.hash_password(passwords.INITIAL_PASSWORD)
            chunker = _Chunker(self.format.kind == "contributions", self.batch_size, self.workers > 1)

            def done(chunk: _Chunk, refused: list[Parsed]) -> None:
                """A chunk written (in file order): its rejects, counts and the checkpoint after it."""
                self._finish(chunk, refused, rejects)
                rejects_file.flush()
                self._save_checkpoint(sha, chunk.end_line, rejects_file.tell())

            with (
                _Progress(self.progress, total, self.path.name) as advance,
                _Pipeline(self.workers, self._write, done) as pipeline,
            ):
                for row in self._read_ahead(reader, resume_line):
                    line = self._line
                    row = {(k.strip() if isinstance(k, str) else k): v for k, v in row.items()}
                    advance(1)
                    if line <= resume_line:
                        self._remember(row)
                        continue
                    try:
                        parsed, error = self._parse(row), None
                    except RowError as refused:
                        parsed, error = None, refused
                    if parsed is not None:
                        parsed.extra.update(line=line, row=row)
                    full = chunker.add(_Line(line, row, parsed, error))
                    if full is not None:
                        pipeline.submit(full)
                if (last := chunker.rest()) is not None:
                    pipeline.submit(last)

    def _finish(self, chunk: _Chunk, refused: list[Parsed], rejects) -> None:
        """Book a written chunk: its rows and counts, and its rejects in line order (the rows that
        failed their checks and those refused by record precedence, which are also listed as
        conflicts)."""
        refused_rows = {id(p) for p in refused}
        for line in chunk.lines:
            if line.error is not None:
                self._reject(rejects, line.number, line.error, line.row)
            elif line.parsed is None:  # an exact repeat of an earlier line: nothing to write
                self.counts.repeated += 1
            elif id(line.parsed) in refused_rows:
                self._reject(rejects, line.number, CONFLICTS_WITH_PAID, line.row)
                self._list_conflict(line.parsed)
        self.counts.rows += len(chunk.lines)
        self.counts.written += len(chunk.rows) - len(refused)
        self.counts.batches += 1 if chunk.rows else 0
        self.counts.retries += chunk.counts.retries


def max_batch_size(kind: str) -> int:
    """Rows per write: a BatchWriteItem takes 25 items; a contributions transaction takes 100
    actions, at least one of them a summary update."""
    return MAX_TRANSACTION_ITEMS - 1 if kind == "contributions" else BATCH_SIZE


@dataclass
class _Line:
    """One line of the file after its checks: the row to write (`parsed`), a reject (`error`),
    or neither (an exact repeat of an earlier line)."""

    number: int
    row: dict[str, Any]
    parsed: Parsed | None
    error: RowError | None


@dataclass
class _Chunk:
    """Consecutive lines of the file, written together; after it is written the checkpoint
    moves to `end_line`. `groups`: the person/type summary items its write updates."""

    lines: list[_Line]
    end_line: int
    groups: set[tuple[str, str]]
    rows: list[Parsed]  # the lines' rows to write
    counts: Counts = field(default_factory=Counts)  # the write's retries


class _Chunker:
    """Cuts the checked lines into chunks of at most `batch_size` rows. For contributions a
    chunk also keeps rows + person/type summaries within one transaction (100 actions), and
    when chunks are written side by side (`align`) a person/type's run of consecutive rows is
    not split over two chunks where avoidable: two chunks updating the same summary item could
    not be written at once."""

    def __init__(self, contributions: bool, batch_size: int, align: bool):
        self.contributions = contributions
        self.batch_size = batch_size
        self.align = align
        self.lines: list[_Line] = []
        self.rows = 0
        self.groups: dict[tuple[str, str], None] = {}
        self.last_group: tuple[str, str] | None = None  # the group of the last row taken
        self.run_start = 0  # index in self.lines of the first row of that group's current run

    @staticmethod
    def group(parsed: Parsed) -> tuple[str, str]:
        return (parsed.id_number, parsed.summary[0]) if parsed.summary else (parsed.id_number, "")

    def add(self, line: _Line) -> _Chunk | None:
        """Take one line; return a full chunk (lines before this one) when one is ready."""
        full = self._cut(len(self.lines)) if len(self.lines) >= MAX_CHUNK_LINES else None
        if line.parsed is not None:
            group = self.group(line.parsed)
            new_group = group not in self.groups
            too_many = self.rows + 1 > self.batch_size or (
                self.contributions and self.rows + 1 + len(self.groups) + new_group > MAX_TRANSACTION_ITEMS
            )
            if too_many:
                continuing = not new_group and self.last_group == group
                cut = self.run_start if self.align and continuing and self.run_start > 0 else len(self.lines)
                full = self._cut(cut)
            if not self.rows or self.last_group != group:
                self.run_start = len(self.lines)
            self.rows += 1
            self.groups[group] = None
            self.last_group = group
        self.lines.append(line)
        return full

    def rest(self) -> _Chunk | None:
        """The lines left at the end of the file, if any."""
        return self._cut(len(self.lines)) if self.lines else None

    def _cut(self, index: int) -> _Chunk:
        taken, self.lines = self.lines[:index], self.lines[index:]
        rows = [line.parsed for line in taken if line.parsed is not None]
        groups = {self.group(p) for p in rows} if self.contributions else set()
        kept = [line.parsed for line in self.lines if line.parsed is not None]
        self.rows = len(kept)
        self.groups = dict.fromkeys(self.group(p) for p in kept)
        self.last_group = self.group(kept[-1]) if kept else None
        self.run_start = 0
        return _Chunk(taken, taken[-1].number, groups, rows)


class _Pipeline:
    """Chunks are written by `workers` threads while the next ones are read and checked; the
    results are booked in file order (`done`), so the checkpoint never passes a chunk that is
    not written. A chunk waits for any chunk in flight that updates one of its summary items.
    With one worker each chunk is written before the next line is read."""

    def __init__(self, workers: int, write: Callable[[_Chunk], list[Parsed]], done: Callable[..., None]):
        self.workers = workers
        self.write = write
        self.done = done
        self.executor: Any = None
        self.in_flight: deque[tuple[_Chunk, Any]] = deque()

    def __enter__(self) -> _Pipeline:
        if self.workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="import")
        return self

    def submit(self, chunk: _Chunk) -> None:
        while self.in_flight and (
            len(self.in_flight) >= self.workers or any(chunk.groups & c.groups for c, _ in self.in_flight)
        ):
            self._book_oldest()
        if self.executor is None or not chunk.rows:
            while self.in_flight:
                self._book_oldest()
            self.done(chunk, self.write(chunk))
            return
        self.in_flight.append((chunk, self.executor.submit(self.write, chunk)))

    def _book_oldest(self) -> None:
        chunk, future = self.in_flight.popleft()
        self.done(chunk, future.result())

    def __exit__(self, exc_type, *_) -> None:
        if self.executor is None:
            return
        try:
            while exc_type is None and self.in_flight:
                self._book_oldest()
        finally:
            # after a failure: chunks not yet started are dropped, running ones are let finish
            # (they are written again on resume: the checkpoint is before them)
            self.executor.shutdown(wait=True, cancel_futures=True)


class _Progress:
    """A rich progress bar with rows/s (or nothing when disabled)."""

    def __init__(self, enabled: bool, total: int, label: str):
        self.enabled = enabled
        self.total = total
        self.label = label
        self._bar = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.text import Text

        class RowsPerSecond(ProgressColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} 行/秒" if speed else "— 行/秒")

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecond(),
            TimeElapsedColumn(),
        )
        self._bar.__enter__()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
