"""`import KIND FILE`: import an export file of the core system (see docs/import-formats.md)."""

from __future__ import annotations


def _import(args) -> int:
    from infra.importer import FORMATS, Importer, ImportFileError, WriteFailed

    if args.kind not in FORMATS:
        print(f"unknown kind {args.kind!r}; known: {', '.join(FORMATS)}")
        return 2
    try:
        importer = Importer(
            args.kind,
            args.file,
            rejects_path=args.rejects,
            checkpoint_path=args.checkpoint,
            progress=not args.no_progress,
            batch_size=args.batch_size,
            restart=args.restart,
            workers=args.workers,
        )
        counts = importer.run()
    except ImportFileError as exc:
        print(f"file rejected: {exc}")
        return 2
    except WriteFailed as exc:
        print(f"write failed: {exc}. Run the same command again to resume from the checkpoint.")
        return 3
    resumed = f" (resumed after line {counts.resumed_after_line})" if counts.resumed_after_line else ""
    print(
        f"{args.kind}: {counts.rows} rows read{resumed}, {counts.written} written in "
        f"{counts.batches} batches, {counts.rejected} rejected, {counts.retries} retries"
    )
    if counts.rejected:
        reasons = ", ".join(f"{code} {n}" for code, n in sorted(counts.reasons.items()))
        print(f"rejected rows ({reasons}) are in {importer.rejects_path}")
    return 1 if counts.rejected else 0


def register(sub) -> None:
    from infra.importer.formats import FORMATS
    from infra.importer.runner import MAX_WORKERS, WORKERS

    parser = sub.add_parser(
        "import",
        help="import a core-system export file (persons, contributions, ...)",
        description="Validate every row, write good rows in batches (BatchWriteItem of 25, or for "
        "contributions a transaction of up to 99 rows under record precedence; several batches at "
        "once, retries with backoff), bad rows to a rejects file. Idempotent and resumable: run "
        "the same command again after an interruption. Formats: docs/import-formats.md.",
    )
    parser.add_argument("kind", choices=sorted(FORMATS), help="which export file")
    parser.add_argument("file", help="the CSV file (UTF-8, header row)")
    parser.add_argument("--rejects", help="rejects file (default: FILE with .rejects.csv)")
    parser.add_argument("--checkpoint", help="checkpoint file (default: FILE with .checkpoint.json)")
    parser.add_argument("--restart", action="store_true", help="discard a checkpoint and start over")
    parser.add_argument(
        "--batch-size",
        type=int,
        help="rows per batch (1..25; contributions 1..99, per transaction; default: the most)",
    )
    parser.add_argument(
        "--workers", type=int, help=f"batches written at once (1..{MAX_WORKERS}, default {WORKERS})"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_import)
