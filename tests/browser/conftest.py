"""Browser test fixtures: one local stack per session, Playwright driving Debian's Chromium.

- `stack`: `python -m infra.local_stack --in-memory --port 0 --bank-port 0` in its own process
  (it imports chalicelib with the DynamoDB Local endpoint, which this process must not do),
  seeded with the demo residents; `.url` (site + API origin), `.bank_url`, and `.passwords`, the
  current password of each demo resident that `flows.sign_in` activated (shared by the tests).
  Stopped with SIGTERM at the end of the session (it stops DynamoDB Local, S3 and the bank).
- `browser`: headless /usr/bin/chromium; `page`: a fresh context per test, phone-sized
  (390×844), zh-CN, China time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 390, "height": 844}
STACK_START_TIMEOUT_S = 600  # DynamoDB Local + seeding the demo histories on a busy 2-core machine


@dataclass
class Stack:
    url: str
    bank_url: str | None
    process: subprocess.Popen
    log_path: Path
    passwords: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(
                self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    work = tmp_path_factory.mktemp("local-stack")
    ready_file, log_path = work / "ready.json", work / "stack.log"
    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    # Every page of the suite comes from 127.0.0.1 and reaches the same phones within seconds:
    # raise the sending and sign-in limits (tests/test_security_rules.py and
    # tests/integration/test_security_races.py test the real ones).
    env["SECURITY_LIMITS_FILE"] = str(ROOT / "tests" / "fixtures" / "security" / "browser-stack-limits.json")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.local_stack",
                "--in-memory",
                "--port",
                "0",
                "--bank-port",
                "0",
                "--ready-file",
                str(ready_file),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Stack(url="", bank_url=None, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + STACK_START_TIMEOUT_S
        while not ready_file.exists():
            if process.poll() is not None:
                pytest.fail(f"the local stack exited ({process.returncode}):\n{running.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the local stack did not start within {STACK_START_TIMEOUT_S} s:\n{running.log_tail()}"
                )
            time.sleep(0.2)
        ready = json.loads(ready_file.read_text(encoding="utf-8"))
        running.url, running.bank_url = ready["url"], ready.get("bank_url")
        yield running
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()
