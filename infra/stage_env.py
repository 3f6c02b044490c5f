"""Point this process at a stage before chalicelib's models are imported.

Stage variables come from `.chalice/config.json`. The local stage also needs the endpoints of
the running local stack, which it records in `.local/stack.json` when it starts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = ROOT / ".local"
STACK_FILE = LOCAL_DIR / "stack.json"


def stage_variables(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    if stage not in config["stages"]:
        raise SystemExit(f"unknown stage {stage!r}; known: {', '.join(config['stages'])}")
    merged = dict(config.get("environment_variables", {}))
    merged.update(config["stages"][stage].get("environment_variables", {}))
    return merged


def apply(stage: str, endpoints: dict[str, str] | None = None) -> None:
    """Set the stage's variables (and, locally, the stack's endpoints) in os.environ."""
    os.environ.update(stage_variables(stage))
    if stage == "local":
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        if endpoints is None and STACK_FILE.exists():
            endpoints = json.loads(STACK_FILE.read_text(encoding="utf-8"))
        for key, value in (endpoints or {}).items():
            if key.isupper():
                os.environ[key] = str(value)
