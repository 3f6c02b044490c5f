"""`seed`: load the demo residents (PRODUCT.md §4) and their histories; idempotent."""

from __future__ import annotations


def _seed(args) -> int:
    from chalicelib import settings

    if not settings.is_local() and not args.yes:
        print(f"refusing to seed demo data into stage {settings.stage()!r} without --yes")
        return 2
    from chalicelib.models.registry import create_missing_tables
    from infra.seed import seed_all, seed_modules

    if args.list:
        for module in seed_modules():
            print(module.__name__.rsplit(".", 1)[-1])
        return 0
    created = create_missing_tables()
    if created:
        print("created tables: " + ", ".join(created))
    seed_all(only=args.only or None, log=print)
    return 0


def register(sub) -> None:
    parser = sub.add_parser(
        "seed",
        help="load the demo residents and their histories (idempotent)",
        description="Create missing tables, then run every seed module of infra/seed "
        "(accounts, contributions, ...). Existing items are never overwritten, "
        "so running it again changes nothing.",
    )
    parser.add_argument(
        "--only", action="append", metavar="MODULE", help="run only this seed module (repeatable; see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the seed modules and exit")
    parser.add_argument(
        "--yes", action="store_true", help="allow seeding a stage other than local (demo data!)"
    )
    parser.set_defaults(func=_seed)
