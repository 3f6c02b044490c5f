"""Import throughput: the ops importer (infra/importer — what `python -m infra import` runs) vs a raw
boto3 BatchWriteItem loop over the same contribution rows, both against one DynamoDB Local.

    python -m infra.bench.import_throughput [--rows 2400] [--rounds 5] [--endpoint URL]  # prints JSON

`measure(rows, rounds)` (used by infra/bench/run.py) starts an in-memory DynamoDB Local and runs
this module in a fresh process, so the stage's variables point at it from the first import of
chalicelib and the benchmark's botocore hooks in the parent process do not touch these requests.

The rows: core-system export files of contribution histories in the import format
(docs/import-formats.md): each person 5 insurance types × 24 months, sorted by person, type and
period as the core system exports them; one person in five owes the last two months. The persons
are known (accounts written beforehand, not timed).

- importer: `Importer("contributions", file, progress=False).run()` — reads and validates every
  row, looks every person up once, writes chunks of up to 99 rows, each as TransactWriteItems of
  conditional Puts with their person/type summary updates (record precedence), 4 chunks in
  flight while it reads on, and saves a checkpoint after every chunk (as `import --no-progress`).
- raw: read the same CSV, build the same items, BatchWriteItem 25 at a time, retry unprocessed
  items, into a table of its own with the same key schema (created fresh for the run); no
  validation, summaries or checkpoints.
Each round is a new file (other persons) done by both, taking turns at going first; one warm-up
round of full size first (not counted: DynamoDB Local's JIT needs a few thousand requests). On a
shared machine single runs scatter widely, so the ratio reported is the median of the rounds'
ratios (each round's two runs are seconds apart).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from infra.importer.formats import FORMATS

from .child import run_json

ROOT = Path(__file__).resolve().parents[2]
TYPES = ("110", "210", "310", "410", "510")
MONTHS_PER_PERSON = 24
HEADER = FORMATS["contributions"].header  # the file the importer reads
RATES_BP = {"110": (1600, 800), "210": (70, 30), "310": (800, 200), "410": (40, 0), "510": (100, 0)}
WARM_UP_ROWS = 2400
BATCH = 25


def person_ids(count: int, first: int = 0) -> list[str]:
    """Valid, distinct citizen ID numbers (德州 area code, birth dates from 1970 on)."""
    from datetime import date, timedelta

    from chalicelib import id_number as ids

    out = []
    for n in range(first, first + count):
        born = date(1970, 1, 1) + timedelta(days=n // 100)
        first17 = f"371402{born:%Y%m%d}{n % 100:02d}{(n % 5) * 2 + 1}"
        out.append(first17 + ids.check_char(first17))
    return out


def _months(count: int, start: str = "202301") -> list[str]:
    year, month = int(start[:4]), int(start[4:])
    out = []
    for _ in range(count):
        out.append(f"{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def write_csv(path: Path, persons: list[str], rows: int) -> int:
    """Write `rows` contribution rows (history shape) for `persons`; return the rows written."""
    written = 0
    months = _months(MONTHS_PER_PERSON)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n, person in enumerate(persons):
            owes = n % 5 == 4
            for type_code in TYPES:
                employer_bp, personal_bp = RATES_BP[type_code]
                for i, period in enumerate(months):
                    if written >= rows:
                        return written
                    base = 450000 + 10000 * (n % 7)
                    personal = base * personal_bp // 10000
                    owed = owes and i >= len(months) - 2
                    out.writerow(
                        [
                            person,
                            type_code,
                            period,
                            "德州市恒信机械制造有限公司",
                            base,
                            base * employer_bp // 10000,
                            personal,
                            personal if type_code == "110" else 0,
                            "OWED" if owed else "PAID",
                            "" if owed else f"{period[:4]}-{period[4:]}-15",
                        ]
                    )
                    written += 1
    return written


def persons_needed(rows: int) -> int:
    return -(-rows // (len(TYPES) * MONTHS_PER_PERSON))


def seed_accounts(persons: list[str]) -> None:
    from chalicelib.models.accounts import Account

    with Account.batch_write() as batch:
        for person in persons:
            batch.save(
                Account(
                    id_number=person, name="测试", password_hash="-", password_state="INITIAL", created_at=0
                )
            )


# ---- the raw loop ---------------------------------------------------------------------------


def raw_items(path: Path):
    """The same items the importer writes, built straight from the CSV without checks."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            item = {
                "person_type": {"S": f"{row['id_number']}#{row['type_code']}"},
                "period": {"S": row["period"]},
                "employer": {"S": row["employer"]},
                "base_fen": {"N": row["base_fen"]},
                "employer_fen": {"N": row["employer_fen"]},
                "personal_fen": {"N": row["personal_fen"]},
                "account_fen": {"N": row["account_fen"]},
                "status": {"S": row["status"]},
                "source": {"S": "import"},
            }
            if row["posted_on"]:
                item["posted_on"] = {"S": row["posted_on"]}
            yield item


def raw_write(table: str, path: Path) -> int:
    """BatchWriteItem, 25 at a time, unprocessed items again until none are left. Makes its own
    client, as the importer does (part of the timed work of both)."""
    from infra.importer.runner import ddb_client

    client = ddb_client()
    written = 0
    batch: list[dict[str, Any]] = []

    def send() -> None:
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        delay = 0.05
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = (answer.get("UnprocessedItems") or {}).get(table, [])
            if requests:
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        batch.clear()

    for item in raw_items(path):
        batch.append(item)
        written += 1
        if len(batch) == BATCH:
            send()
    if batch:
        send()
    return written


def create_raw_table(client, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "person_type", "AttributeType": "S"},
            {"AttributeName": "period", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "person_type", "KeyType": "HASH"},
            {"AttributeName": "period", "KeyType": "RANGE"},
        ],
    )
    client.get_waiter("table_exists").wait(TableName=name)


def count_items(client, table: str) -> int:
    total, start = 0, None
    while True:
        kwargs = {"TableName": table, "Select": "COUNT", **({"ExclusiveStartKey": start} if start else {})}
        answer = client.scan(**kwargs)
        total += answer["Count"]
        start = answer.get("LastEvaluatedKey")
        if not start:
            return total


# ---- the measurement (in the fresh process) --------------------------------------------------


class CpuClock:
    """CPU seconds used by this process and, where /proc shows it, by the DynamoDB Local process:
    less sensitive than wall time to other work on a shared machine."""

    def __init__(self, server_pid: int | None):
        self.server_stat = Path(f"/proc/{server_pid}/stat") if server_pid else None
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def server(self) -> float | None:
        try:
            fields = self.server_stat.read_text().rsplit(")", 1)[1].split()
        except (AttributeError, OSError):
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def read(self) -> tuple[float, float, float | None]:
        return time.perf_counter(), time.process_time(), self.server()


def _round(
    tables: dict[str, str], folder: Path, persons: list[str], rows: int, importer_first: bool, clock: CpuClock
) -> dict[str, Any]:
    """One file, imported with the importer and written with the raw loop (in the given order):
    {"importer"|"raw": (wall s, client CPU s, server CPU s or None)} and the importer's counts."""
    from infra.importer import Importer

    path = folder / f"contributions-{persons[0]}.csv"
    n = write_csv(path, persons, rows)
    result: dict[str, Any] = {}
    for which in ("importer", "raw") if importer_first else ("raw", "importer"):
        before = clock.read()
        if which == "importer":
            result["counts"] = Importer("contributions", path, progress=False).run()
        else:
            raw_write(tables["raw"], path)
        after = clock.read()
        server = after[2] - before[2] if after[2] is not None and before[2] is not None else None
        result[which] = (after[0] - before[0], after[1] - before[1], server)
    if result["counts"].written != n or result["counts"].rejected:
        raise RuntimeError(
            f"the importer wrote {result['counts'].written} of {n} rows "
            f"({result['counts'].rejected} rejected)"
        )
    return result


def run_in_process(rows: int, rounds: int, endpoint: str, server_pid: int | None = None) -> dict[str, Any]:
    """`rounds` files of `rows` rows each (other persons each time) after one warm-up file; the
    importer and the raw loop take turns going first; the ratio is the median of the rounds'."""
    from infra import stage_env

    stage_env.apply("local", endpoints={"DDB_ENDPOINT": endpoint})
    from chalicelib import settings
    from chalicelib.models.contributions import Contribution
    from chalicelib.models.registry import create_missing_tables
    from infra.importer.runner import ddb_client

    create_missing_tables()
    client = ddb_client()
    tables = {"raw": settings.table_name("bench-raw-contributions")}
    create_raw_table(client, tables["raw"])
    clock = CpuClock(server_pid)
    per_file = persons_needed(rows)
    warm_rows = min(rows, WARM_UP_ROWS)
    files = [person_ids(persons_needed(warm_rows))]
    files += [person_ids(per_file, first=len(files[0]) + i * per_file) for i in range(rounds)]
    seed_accounts([p for persons in files for p in persons])
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        _round(tables, Path(tmp), files[0], warm_rows, True, clock)
        results = [
            _round(tables, Path(tmp), persons, rows, i % 2 == 0, clock) for i, persons in enumerate(files[1:])
        ]
    total = warm_rows + rows * rounds
    in_tables = count_items(client, Contribution.Meta.table_name), count_items(client, tables["raw"])
    if in_tables != (total, total):
        raise RuntimeError(f"expected {total} items in both tables, found {in_tables}")
    ratios = [r["raw"][0] / r["importer"][0] for r in results]
    report = {
        "rows_per_round": rows,
        "rounds": rounds,
        "persons_per_round": per_file,
        "shape": f"{len(TYPES)} types × {MONTHS_PER_PERSON} months per person, sorted",
        "importer_rows_per_s": round(statistics.median(rows / r["importer"][0] for r in results)),
        "raw_rows_per_s": round(statistics.median(rows / r["raw"][0] for r in results)),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_per_round": [round(x, 3) for x in ratios],
        "target": 0.9,
        "importer_batches_per_round": results[-1]["counts"].batches,
        "importer_retries": sum(r["counts"].retries for r in results),
        "backend": "dynamodb-local",
    }
    for which in ("importer", "raw"):
        report[f"{which}_cpu_ms_per_1000_rows"] = {
            "client": round(statistics.median(r[which][1] for r in results) * 1e6 / rows),
            "dynamodb_local": (
                round(statistics.median(r[which][2] for r in results) * 1e6 / rows)
                if all(r[which][2] is not None for r in results)
                else None
            ),
        }
    if all(r[w][2] is not None for r in results for w in ("importer", "raw")):
        report["cpu_ratio"] = round(
            statistics.median(
                (r["raw"][1] + r["raw"][2]) / (r["importer"][1] + r["importer"][2]) for r in results
            ),
            3,
        )
    return report


def measure(rows: int, rounds: int) -> dict[str, Any]:
    """Start DynamoDB Local (in memory) and run the measurement in a fresh process."""
    from infra.ddb_local import DynamoDBLocal

    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    with DynamoDBLocal() as ddb:
        return run_json(
            "infra.bench.import_throughput",
            "--rows",
            str(rows),
            "--rounds",
            str(rounds),
            "--endpoint",
            ddb.endpoint,
            "--server-pid",
            str(ddb.process.pid),
            env=env,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.bench.import_throughput", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rows", type=int, default=2400, help="contribution rows per round (default 2400)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each with its own file (default 5)")
    parser.add_argument("--endpoint", help="a running DynamoDB Local (default: start one, in memory)")
    parser.add_argument("--server-pid", type=int, help="its process id, to count its CPU time (Linux)")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.rounds < 1:
        parser.error("--rows and --rounds must be at least 1")
    result = (
        run_in_process(args.rows, args.rounds, args.endpoint, args.server_pid)
        if args.endpoint
        else measure(args.rows, args.rounds)
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
