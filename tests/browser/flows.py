"""Shared browser flows, through the real pages only (the sign-in page, the activation page).

    sign_in(page, stack, "371481199004225625", "Wf2026pay")

signs a demo resident in: with the password remembered for them in `stack.passwords`, or the
initial 888888 if this session has not activated them yet — then the activation page gets the
SMS code from the local outbox and `new_password` (twice), and `new_password` is remembered.
It returns once the resident is on the page after sign-in (home.html, or where `next_url` led).
A test that changes a resident's password afterwards must update `stack.passwords[id_number]`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

INITIAL_PASSWORD = "888888"
_ROOT = Path(__file__).resolve().parents[2]
_DEMO_FILE = _ROOT / "infra" / "seed" / "demo_residents.json"
_FRESH_RESIDENT = _ROOT / "tests" / "a11y" / "fresh_resident.py"


def demo_phone(id_number: str) -> str:
    for resident in json.loads(_DEMO_FILE.read_text(encoding="utf-8"))["residents"]:
        if resident["id_number"] == id_number:
            return resident["phone"]
    raise KeyError(f"{id_number} is not a demo resident")


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=15) as response:
        return json.loads(response.read().decode("utf-8"))


def captcha_answer(page, stack) -> str:
    """The answer to the captcha the sign-in page shows now (local dev endpoint)."""
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    captcha_id = page.get_attribute("#captcha-img", "data-captcha-id")
    return _get_json(f"{stack.url}/api/dev/captcha/{captcha_id}")["answer"]


def latest_code(stack, phone: str) -> str:
    """The code of the newest SMS the local stack "sent" to this phone."""
    messages = _get_json(f"{stack.url}/api/dev/outbox?phone={phone}")["messages"]
    assert messages, f"no SMS to {phone} in the local outbox"
    return messages[0]["code"]


def submit_sign_in(page, stack, id_number: str, password: str, next_url: str | None = None) -> None:
    """Fill and submit the sign-in form (does not wait for the outcome)."""
    page.goto(next_url or f"{stack.url}/index.html")
    page.wait_for_selector("#captcha-img[data-captcha-id]")
    page.fill("#login-form [name=id_number]", id_number)
    page.fill("#login-form [name=password]", password)
    page.fill("#login-form [name=captcha_answer]", captcha_answer(page, stack))
    page.click("#login-form button[type=submit]")


def activate(page, stack, id_number: str, new_password: str) -> None:
    """On activate.html: the SMS code from the outbox, the new password twice, submit."""
    page.wait_for_selector("#activate-form:not([hidden])")
    page.fill("#activate-form [name=sms_code]", latest_code(stack, demo_phone(id_number)))
    page.fill("#activate-form [name=new_password]", new_password)
    page.fill("#activate-form [name=confirm_password]", new_password)
    page.click("#activate-form button[type=submit]")


def sign_in(page, stack, id_number: str, new_password: str, next_url: str | None = None) -> None:
    password = stack.passwords.get(id_number, INITIAL_PASSWORD)
    submit_sign_in(page, stack, id_number, password, next_url)
    _leave(page, lambda path: re.fullmatch(r"/(index\.html)?", path), "#login-form")
    if _path(page.url) == "/activate.html":
        activate(page, stack, id_number, new_password)
        _leave(page, lambda path: path == "/activate.html", "#activate-form")
        stack.passwords[id_number] = new_password
    page.wait_for_load_state("load")


def make_resident(stack, like: str, id_number: str, phone: str, password: str) -> str:
    """Create a fresh resident (a copy of the demo resident `like` under a new ID number and phone,
    already activated with `password`) in the stack's DynamoDB Local, through
    tests/a11y/fresh_resident.py and the stack's ready file; sign_in then knows the password."""
    if id_number not in stack.passwords:
        ready_file = stack.log_path.parent / "ready.json"
        assert ready_file.is_file(), f"the stack's ready file is not at {ready_file}"
        done = subprocess.run(
            [sys.executable, str(_FRESH_RESIDENT), str(ready_file), like, id_number, phone, password],
            cwd=_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"fresh_resident.py failed:\n{done.stdout}\n{done.stderr}"
        stack.passwords[id_number] = password
    return id_number


def _leave(page, still_here, form_selector: str) -> None:
    """Wait until the page navigates away; if it shows an error instead, fail with that error."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    errors = page.locator(f"{form_selector} .field-error, {form_selector} .form-error")
    deadline_ms = 30000
    waited = 0
    while still_here(_path(page.url)):
        if errors.count() and errors.first.is_visible():
            raise AssertionError(f"{_path(page.url)} answered: {errors.first.inner_text()}")
        if waited >= deadline_ms:
            raise AssertionError(f"still on {page.url} after {deadline_ms // 1000} s")
        try:
            page.wait_for_url(lambda url: not still_here(_path(url)), timeout=250)
        except PlaywrightTimeout:
            waited += 250


def _path(url: str) -> str:
    """The path of a URL, without query and fragment ("/" for the origin itself)."""
    match = re.match(r"https?://[^/?#]+([^?#]*)", url)
    return (match.group(1) if match else "") or "/"
