"""Demo data for the local stack (PRODUCT.md §4), idempotent: deterministic keys, and a re-run
never duplicates or overwrites what a resident changed since (items are only created when missing).

`seed_all()` imports every module of this package and calls its `seed()` if it has one, in the
order of the module's `ORDER` (default 50), then by name: `accounts` (10) and `contributions`
(20) come first, so modules that derive data from them (records, cards, payments, ...) find it.
A `seed()` takes no arguments and returns a short summary (a dict of counts, or None).

The demo residents themselves are data: `demo_residents.json` (see `residents.py`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

DEFAULT_ORDER = 50


def seed_modules() -> list[ModuleType]:
    """Every module of the package that defines `seed()`, in run order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "seed", None)):
            found.append(module)
    return sorted(found, key=lambda m: (getattr(m, "ORDER", DEFAULT_ORDER), m.__name__))


def seed_all(only: list[str] | None = None, log: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """Run the seed modules (all, or those named in `only`); return {module name: its summary}."""
    results: dict[str, Any] = {}
    for module in seed_modules():
        name = module.__name__.rsplit(".", 1)[-1]
        if only and name not in only:
            continue
        results[name] = module.seed()
        if log is not None:
            log(f"seed {name}: {results[name]}")
    return results
