"""The ops CLI: `python -m infra <command> --help`.

Each module in infra/commands/ defines `register(subparsers)` adding its commands; each command
sets `func(args) -> int` (the exit code). `--stage` (default local) is applied before any
command imports chalicelib, so table names and endpoints match the stage.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import commands, stage_env


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m infra", description="社保个人网上服务 — operations commands"
    )
    parser.add_argument("--stage", default="local", help="local (the running local stack), dev or prod")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    stage_env.apply(args.stage)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
