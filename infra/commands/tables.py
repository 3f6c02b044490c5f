"""`tables create` / `tables describe`."""

from __future__ import annotations


def _create(_args) -> int:
    from chalicelib.models.registry import create_missing_tables

    created = create_missing_tables()
    print("created: " + (", ".join(created) if created else "nothing (all tables exist)"))
    return 0


def _describe(_args) -> int:
    from chalicelib.models.registry import ALL_MODELS

    for model in ALL_MODELS:
        name = model.Meta.table_name
        if not model.exists():
            print(f"{name:40s} MISSING")
            continue
        info = model.describe_table()
        print(f"{name:40s} {info.get('TableStatus', '?'):8s} items≈{info.get('ItemCount', 0)}")
    return 0


def register(sub) -> None:
    tables = sub.add_parser("tables", help="create or describe the stage's DynamoDB tables")
    actions = tables.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("create", help="create missing tables (idempotent)").set_defaults(func=_create)
    actions.add_parser("describe", help="list tables with status and item count").set_defaults(func=_describe)
