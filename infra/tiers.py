"""`make test`: the pytest tiers in lanes that run side by side, output kept per tier.

    python -m infra.tiers --lane unit,unit-lambda-python --lane integration,browser

Each lane runs its tiers one after another; the lanes run at the same time. The unit tier keeps
both cores busy with xdist while the integration and browser tiers mostly wait on DynamoDB Local,
the local stack and Chromium, so running them beside it shortens the wall time on a 2-core
machine. A tier's output goes to a log file and is printed whole when the tier ends (never
interleaved with another's); a summary closes the run. The exit code is 0 only if every tier
passed (pytest's "no tests ran" counts as a failure: a tier that tests nothing is broken).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_VENV = ROOT / ".venv-lambda"
UNIT = ["tests", "--ignore=tests/integration", "--ignore=tests/browser", "--ignore=tests/contract"]


@dataclass
class Tier:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def tiers(workers: str) -> dict[str, Tier]:
    """The tiers `make test` knows; the Lambda-Python tier uses .venv-lambda (see the Makefile)."""
    python = sys.executable
    return {
        "unit": Tier("unit", [python, "-m", "pytest", "-q", "-n", workers, *UNIT]),
        "unit-lambda-python": Tier(
            "unit-lambda-python",
            [str(LAMBDA_VENV / "bin" / "python"), "-m", "pytest", "-q", "-n", workers, *UNIT],
        ),
        "integration": Tier(
            "integration",
            [python, "-m", "pytest", "-q", "tests/integration"],
            {"SBP_TEST_BACKEND": "ddblocal"},
        ),
        "browser": Tier("browser", [python, "-m", "pytest", "-q", "tests/browser"]),
        # Schemathesis over /api/openapi.json against a local stack of its own (tests/contract).
        "contract": Tier("contract", [python, "-m", "pytest", "-q", "tests/contract"]),
    }


@dataclass
class Result:
    tier: str
    returncode: int
    seconds: float
    closing_line: str


def run_tier(tier: Tier, work: Path, print_lock: threading.Lock) -> Result:
    log_path = work / f"{tier.name}.log"
    # its own temp folder and no shared cache: tiers running at once never touch each other's files
    argv = [*tier.argv, f"--basetemp={work / tier.name}", "-p", "no:cacheprovider"]
    env = {**os.environ, **tier.env}
    with print_lock:
        print(f"==> {tier.name}: started ({' '.join(argv[1:])})", flush=True)
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        try:
            returncode = subprocess.run(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            ).returncode
        except OSError as exc:  # e.g. .venv-lambda missing: the tier fails, the others go on
            print(f"cannot start {argv[0]}: {exc}", file=log)
            returncode = 127
    seconds = time.monotonic() - started
    output = log_path.read_text(encoding="utf-8", errors="replace")
    lines = [line for line in output.splitlines() if line.strip()]
    closing = lines[-1] if lines else "(no output)"
    with print_lock:
        print(f"\n==> {tier.name}: exit {returncode} after {seconds:.0f} s", flush=True)
        print(output.rstrip(), flush=True)
        print(f"<== {tier.name}\n", flush=True)
    return Result(tier.name, returncode, seconds, closing)


def run_lanes(lanes: list[list[Tier]]) -> list[Result]:
    results: list[Result] = []
    print_lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="sbp-tiers-") as tmp:
        work = Path(tmp)

        def lane_worker(lane: list[Tier]) -> None:
            for tier in lane:
                results.append(run_tier(tier, work, print_lock))

        threads = [threading.Thread(target=lane_worker, args=(lane,)) for lane in lanes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results


def count(closing_line: str, words: tuple[str, ...]) -> int:
    """The number pytest's closing line gives for any of `words` ("3 failed, 580 passed in 9s")."""
    return sum(int(n) for n, word in re.findall(r"(\d+) (\w+)", closing_line) if word in words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.tiers", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lane",
        action="append",
        required=True,
        help="comma-separated tiers run one after another (repeat for lanes run at once)",
    )
    parser.add_argument(
        "--workers", default=os.environ.get("PYTEST_WORKERS", "2"), help="xdist workers per unit tier"
    )
    args = parser.parse_args(argv)
    known = tiers(args.workers)
    lanes = [[known[name] for name in lane.split(",") if name] for lane in args.lane]
    unknown = [name for lane in args.lane for name in lane.split(",") if name and name not in known]
    if unknown:
        parser.error(f"unknown tier(s) {', '.join(unknown)}; known: {', '.join(known)}")
    started = time.monotonic()
    results = run_lanes(lanes)
    print("==> summary")
    for result in sorted(results, key=lambda r: r.tier):
        verdict = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"    {result.tier:<20} {verdict:<18} {result.seconds:6.0f} s   {result.closing_line}")
    failed = [r.tier for r in results if r.returncode != 0]
    ran = sum(len(lane) for lane in lanes)
    passed_tests, failed_tests = (
        sum(count(r.closing_line, words) for r in results)
        for words in (("passed",), ("failed", "error", "errors"))
    )
    print(f"tests: {passed_tests} passed, {failed_tests} failed")
    print(
        f"==> {ran - len(failed)} of {ran} tiers passed in {time.monotonic() - started:.0f} s wall time"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed or len(results) != ran else 0


if __name__ == "__main__":
    sys.exit(main())
