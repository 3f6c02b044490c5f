"""Service modules load when first used, not when the app is imported (cold start).

A Lambda cold start answers one request: the handler modules must all be imported (their routes
are registered at import), but a request needs only its own services. With the finder
installed, `import chalicelib.services.x` gives a module whose code runs at its first attribute
access (the standard library's `importlib.util.LazyLoader`); the import statements stay as they
are, so the import contracts still see them. `import app` then costs about 20 ms less
(`make bench`, cold start).

Only from Python 3.13 (the Lambda's runtime): before it, LazyLoader lets a second thread see a
module half loaded, and the local gateway answers requests in threads. On older interpreters
(the local stack's) every module loads at import, as without the finder.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

PREFIX = "chalicelib.services."
THREAD_SAFE_FROM = (3, 13)  # LazyLoader takes a lock while it loads (CPython gh-114763)


class _LazyServices(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,  # noqa: ARG002  (the finder protocol's signature)
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PREFIX):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def install() -> None:
    """Once per process, before the handler modules are imported (a no-op before 3.13)."""
    if sys.version_info < THREAD_SAFE_FROM:
        return
    if not any(isinstance(finder, _LazyServices) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LazyServices())
