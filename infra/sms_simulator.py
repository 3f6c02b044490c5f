"""Tencent Cloud SMS simulator: the `SendSms` action of API 2021-01-11 on 127.0.0.1, checking every
request the way the real service does, so the portal's real SDK calls can be tested offline.
Standard library only; its own implementation of the TC3-HMAC-SHA256 signature (it does not
import the SDK or the portal's code).

    python -m infra.sms_simulator --port 0 --secret-id AKID... --secret-key ...

Checked: `Authorization` (algorithm, credential scope `<date>/sms/tc3_request`, signed headers
including content-type and host, the signature over the canonical request and the payload's
SHA-256; `UNSIGNED-PAYLOAD` refused), `X-TC-Timestamp` within 5 minutes and on the scope's date,
`X-TC-Action`/`X-TC-Version`, the app id, signature name and template, mainland numbers in
E.164. Answers in Tencent's shape: `{"Response": {"SendStatusSet": [...], "RequestId"}}` or
`{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`. Accepted messages are kept in
`.sent` (and at `GET /_sim/sent`).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "sms"
VERSION = "2021-01-11"
MAX_CLOCK_SKEW_S = 300
AUTH_PATTERN = re.compile(
    r"^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$"
)
MAINLAND_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")


class SmsError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class SmsAccount:
    """What the simulated Tencent account has: API keys, an SMS app, approved signature and templates."""

    secret_id: str
    secret_key: str
    app_id: str = "1400000001"
    sign_name: str = "社保服务"
    templates: dict[str, int] = field(default_factory=lambda: {"100001": 2, "100002": 0})  # id -> params


class SmsSimulator:
    def __init__(self, account: SmsAccount, now=time.time):
        self.account = account
        self.now = now
        self.sent: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    # -- checks ----------------------------------------------------------------------------
    def verify(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> dict[str, Any]:
        match = AUTH_PATTERN.match(headers.get("authorization", ""))
        if not match:
            raise SmsError("AuthFailure.InvalidAuthorization", "Authorization header is not TC3-HMAC-SHA256")
        secret_id, date, service, signed_headers, signature = match.groups()
        if secret_id != self.account.secret_id:
            raise SmsError("AuthFailure.SecretIdNotFound", "unknown SecretId")
        if service != SERVICE:
            raise SmsError("AuthFailure.InvalidAuthorization", f"credential scope names service {service}")
        names = signed_headers.split(";")
        if "content-type" not in names or "host" not in names:
            raise SmsError("AuthFailure.InvalidAuthorization", "content-type and host must be signed")
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            raise SmsError("AuthFailure.InvalidAuthorization", "X-TC-Timestamp missing") from None
        if abs(self.now() - timestamp) > MAX_CLOCK_SKEW_S:
            raise SmsError("AuthFailure.SignatureExpire", "request timestamp outside 5 minutes")
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            raise SmsError("AuthFailure.InvalidAuthorization", "credential date differs from the timestamp")
        if headers.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD":
            raise SmsError("AuthFailure.InvalidAuthorization", "unsigned payloads are not accepted")
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in names)
        canonical_request = "\n".join(
            [method, path, query, canonical_headers, signed_headers, hashlib.sha256(body).hexdigest()]
        )
        string_to_sign = "\n".join(
            [
                ALGORITHM,
                str(timestamp),
                f"{date}/{service}/tc3_request",
                hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
            ]
        )
        expected = tc3_signature(self.account.secret_key, date, service, string_to_sign)
        if not hmac.compare_digest(expected, signature):
            raise SmsError("AuthFailure.SignatureFailure", "signature does not match")
        if headers.get("x-tc-action") != "SendSms" or headers.get("x-tc-version") != VERSION:
            raise SmsError("InvalidAction", "only SendSms of 2021-01-11 is simulated")
        try:
            params = json.loads(body)
        except ValueError:
            raise SmsError("InvalidParameter", "body is not JSON") from None
        return params

    def send_sms(self, params: dict[str, Any], region: str) -> list[dict[str, Any]]:
        if params.get("SmsSdkAppId") != self.account.app_id:
            raise SmsError("FailedOperation.SmsSdkAppIdVerifyFail", "unknown SmsSdkAppId")
        if params.get("SignName") != self.account.sign_name:
            raise SmsError("FailedOperation.SignatureIncorrectOrUnapproved", "signature not approved")
        template = str(params.get("TemplateId"))
        if template not in self.account.templates:
            raise SmsError("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved")
        values = params.get("TemplateParamSet") or []
        if len(values) != self.account.templates[template]:
            raise SmsError(
                "InvalidParameterValue.TemplateParameterFormatError", "wrong number of template parameters"
            )
        phones = params.get("PhoneNumberSet") or []
        if not phones or any(not MAINLAND_MOBILE.match(p) for p in phones):
            raise SmsError(
                "InvalidParameterValue.IncorrectPhoneNumber", "phone numbers must be +86 mainland mobiles"
            )
        statuses = []
        for phone in phones:
            serial = uuid.uuid4().hex
            self.sent.append(
                {
                    "phone": phone,
                    "template_id": template,
                    "params": list(values),
                    "sign_name": params["SignName"],
                    "region": region,
                    "serial_no": serial,
                }
            )
            statuses.append(
                {
                    "SerialNo": serial,
                    "PhoneNumber": phone,
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            )
        return statuses

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        path, _, query = target.partition("?")
        try:
            params = self.verify(method, path, query, headers, body)
            statuses = self.send_sms(params, headers.get("x-tc-region", ""))
        except SmsError as exc:
            self.rejected.append(exc.code)
            return {
                "Response": {"Error": {"Code": exc.code, "Message": exc.message}, "RequestId": request_id}
            }
        return {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    # -- HTTP ------------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                self._answer(simulator.handle("POST", self.path, headers, raw))

            def do_GET(self):
                self._answer(
                    {"sent": simulator.sent}
                    if self.path == "/_sim/sent"
                    else {"Response": {"Error": {"Code": "InvalidAction", "Message": "POST only"}}}
                )

            def _answer(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(200)  # Tencent answers errors with 200 and Response.Error
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.sms_simulator", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret-id", required=True)
    parser.add_argument("--secret-key", required=True)
    args = parser.parse_args(argv)
    simulator = SmsSimulator(SmsAccount(args.secret_id, args.secret_key))
    print(f"Tencent Cloud SMS simulator at {simulator.start(args.port)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        simulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
