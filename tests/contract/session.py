"""Sign a demo resident in over plain HTTP (captcha and SMS code from the local-stage dev routes)."""

from __future__ import annotations

import json
import re
import urllib.request

from tests.browser.flows import INITIAL_PASSWORD, demo_phone

XHR = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}


def _call(url: str, body: dict | None = None) -> tuple[dict, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers=XHR if body is not None else {}, method="POST" if body is not None else "GET"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read()), response.headers.get("Set-Cookie") or ""


def sign_in(base_url: str, id_number: str, new_password: str) -> str:
    """Activate the demo resident (initial password → SMS code → new password); the session cookie."""
    captcha, _ = _call(f"{base_url}/api/auth/captcha", {})
    answer, _ = _call(f"{base_url}/api/dev/captcha/{captcha['captcha_id']}")
    answer_body = {
        "id_number": id_number,
        "password": INITIAL_PASSWORD,
        "captcha_id": captcha["captcha_id"],
        "captcha_answer": answer["answer"],
    }
    result, cookie = _call(f"{base_url}/api/auth/login", answer_body)
    if result["status"] == "activation_required":
        outbox, _ = _call(f"{base_url}/api/dev/outbox?phone={demo_phone(id_number)}")
        result, cookie = _call(
            f"{base_url}/api/auth/activate",
            {
                "activation_token": result["activation_token"],
                "sms_code": outbox["messages"][0]["code"],
                "new_password": new_password,
            },
        )
    match = re.match(r"(sbp_session=[^;]+)", cookie)
    assert result["status"] == "ok" and match, result
    return match.group(1)
