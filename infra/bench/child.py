"""Run one benchmark module in a fresh process (a cold start) and read the JSON it prints last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The bare baselines stand for a bare Chalice app's zip, which holds no pyOpenSSL: this venv has it
# (for webauthn), so their code starts by hiding it from botocore, as chalicelib/__init__.py does
# for the app. Without it both sides would pay the same ~40 ms and the ratio would flatter the app.
WITHOUT_PYOPENSSL = "import sys\nsys.modules.setdefault('urllib3.contrib.pyopenssl', None)\n"


def runtime_python() -> str:
    """The interpreter cold starts are timed on: the Lambda runtime's version (`.venv-lambda`,
    `make lambda-python`), since what loads at import depends on it (chalicelib/lazy_services.py);
    this interpreter when that venv is missing. Both sides of a ratio use the same one."""
    lambda_python = ROOT / ".venv-lambda" / "bin" / "python"
    return str(lambda_python) if lambda_python.exists() else sys.executable


def python_version(python: str) -> str:
    done = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    )
    return done.stdout.strip()


def run_json(module: str, *args: str, env: dict[str, str], timeout: float | None = None) -> dict[str, Any]:
    """`python -m module args...` from the project root; its last stdout line as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
