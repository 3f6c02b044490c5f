"""`audit export --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE]`: the audit log of a date range
(China time, both days included) as CSV, one Query per day on the `by_day` index.

Columns: day, at (ISO 8601, +08:00), subject (pseudonym), id_masked, action, outcome, source_ip,
detail (JSON). Exit codes: 0 written, 2 bad input (malformed date, range reversed or too long).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, timedelta, timezone

MAX_DAYS = 366
COLUMNS = ["day", "at", "subject", "id_masked", "action", "outcome", "source_ip", "detail"]
CHINA = timezone(timedelta(hours=8))


def _day(text: str, name: str) -> date | None:
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        print(f"error: --{name} {text!r} is not a date YYYY-MM-DD", file=sys.stderr)
        return None


def _progress():
    """A progress bar on stderr when it is a terminal (rich), else nothing."""
    if not sys.stderr.isatty():
        return None
    try:
        from rich.progress import Progress
    except ImportError:
        return None
    progress = Progress(transient=True)
    return progress


def _export(args) -> int:
    start, end = _day(args.date_from, "from"), _day(args.date_to, "to")
    if start is None or end is None:
        return 2
    if end < start:
        print(f"error: --to {end} is before --from {start}", file=sys.stderr)
        return 2
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    if len(days) > MAX_DAYS:
        print(f"error: {len(days)} days asked; at most {MAX_DAYS} per export", file=sys.stderr)
        return 2
    from chalicelib.services import audit

    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115 (closed in finally; may be stdout)
    rows = 0
    progress = _progress()
    try:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        task = progress.add_task("audit export", total=len(days)) if progress else None
        if progress:
            progress.start()
        for day in days:
            for event in audit.for_days([day]):
                writer.writerow(
                    [
                        event.day,
                        datetime.fromtimestamp(event.at, CHINA).isoformat(),
                        event.subject,
                        event.id_masked or "",
                        event.action,
                        event.outcome,
                        event.source_ip or "",
                        json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
                    ]
                )
                rows += 1
            if progress:
                progress.advance(task)
    finally:
        if progress:
            progress.stop()
        if args.out:
            out.close()
    print(
        f"{rows} audit event(s) from {start} to {end}" + (f" written to {args.out}" if args.out else ""),
        file=sys.stderr,
    )
    return 0


def register(sub) -> None:
    parser = sub.add_parser(
        "audit", help="export the audit log of a date range as CSV", description=__doc__.split("\n\n")[0]
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export", help="CSV of every audit event of the days from..to (China time)", description=__doc__
    )
    export.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    export.add_argument("--out", help="CSV file to write (default: standard output)")
    export.set_defaults(func=_export)
