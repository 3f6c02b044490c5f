"""Schemathesis over /api/openapi.json against the local stack, signed in as a demo resident.

Every check runs (tests/contract/schemathesis.toml): no 5xx, no undocumented status or content
type, no response outside its schema, no schema-valid request refused (save the declared
exceptions whose validity depends on a secret or on server state), no schema-violating request
accepted, 405 for undeclared methods. Bounded by examples per operation with a fixed seed, so a
run takes a minute or two and a failure reproduces; SBP_CONTRACT_SEED / SBP_CONTRACT_EXAMPLES
override both.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .session import sign_in

CONFIG = Path(__file__).with_name("schemathesis.toml")
RESIDENT = "371403195501011110"  # 刘强 (demo resident): this run has a stack of its own
PASSWORD = "Contract2026x"
ST = Path(sys.executable).with_name("st")
MIN_CASES = 500  # the run really exercised the API (about 2,300 cases at 10 examples)


def test_the_api_keeps_its_openapi_contract(stack, tmp_path):
    cookie = sign_in(stack.url, RESIDENT, PASSWORD)
    env = dict(os.environ, SBP_CONTRACT_SESSION=cookie.split("=", 1)[1])
    command = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{stack.url}/api/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--max-examples",
        os.environ.get("SBP_CONTRACT_EXAMPLES", "10"),
        "--seed",
        os.environ.get("SBP_CONTRACT_SEED", "20261130"),
        "--request-timeout",
        "15",
        # Signing out would end the session the rest of the run uses.
        "--exclude-path",
        "/api/auth/logout",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts and int(counts.group(1)) >= MIN_CASES and counts.group(1) == counts.group(2), result.stdout[
        -5000:
    ]
