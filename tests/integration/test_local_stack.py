"""The local stack's persistence (`make run` twice): S3 through moto's recorder, and the whole
stack — DynamoDB Local on disk, idempotent seeding — keeping a resident's new password and an
upload across a restart. The stack runs as `python -m infra.local_stack` in a child process
with its data in a temporary folder, on free ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from infra.s3_local import S3Local

ROOT = Path(__file__).resolve().parents[2]
ZHANG, ZHANG_PHONE, NEW_PASSWORD = "371402198503142314", "13800001111", "Zhangwei2026ok"
START_TIMEOUT_S = 600


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(s3={"addressing_style": "path"}),
    )


def test_s3_objects_survive_a_restart_through_the_recording(tmp_path):
    with S3Local(data_dir=tmp_path) as first:
        s3 = s3_client(first.endpoint)
        s3.create_bucket(Bucket="sbp-test-uploads")
        s3.put_object(Bucket="sbp-test-uploads", Key="photos/a.jpg", Body=b"\xff\xd8\x00binary")
        s3.put_object(Bucket="sbp-test-uploads", Key="photos/gone.jpg", Body=b"x")
        s3.delete_object(Bucket="sbp-test-uploads", Key="photos/gone.jpg")
    with S3Local(data_dir=tmp_path) as second:
        s3 = s3_client(second.endpoint)
        assert (
            s3.get_object(Bucket="sbp-test-uploads", Key="photos/a.jpg")["Body"].read()
            == b"\xff\xd8\x00binary"
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="sbp-test-uploads").get("Contents", [])]
        assert keys == ["photos/a.jpg"]
    with S3Local() as in_memory:
        assert s3_client(in_memory.endpoint).list_buckets()["Buckets"] == []


# ---- the whole stack, twice ----------------------------------------------------------------


class Browserless:
    """A cookie-keeping HTTP client speaking to the stack like the site's JavaScript does."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def login(self, id_number: str, password: str) -> dict:
        status, created = self.call("POST", "/api/auth/captcha")
        assert status == 200, created
        _, answer = self.call("GET", f"/api/dev/captcha/{created['captcha_id']}")
        status, result = self.call(
            "POST",
            "/api/auth/login",
            {
                "id_number": id_number,
                "password": password,
                "captcha_id": created["captcha_id"],
                "captcha_answer": answer["answer"],
            },
        )
        assert status == 200, result
        return result


def start_stack(data_dir: Path, work: Path, name: str) -> tuple[subprocess.Popen, dict]:
    ready = work / f"{name}.ready.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DDB_ENDPOINT", "S3_ENDPOINT")}
    log = open(work / f"{name}.log", "wb")  # noqa: SIM115 (the stack's output for as long as it runs)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local_stack",
            "--port",
            "0",
            "--no-bank",
            "--data-dir",
            str(data_dir),
            "--stack-file",
            str(work / f"{name}.stack.json"),
            "--ready-file",
            str(ready),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_stack(process)
            pytest.fail(f"stack {name} did not start:\n{(work / f'{name}.log').read_text()[-3000:]}")
        time.sleep(0.2)
    return process, json.loads(ready.read_text())


def stop_stack(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def test_local_stack_keeps_a_new_password_and_uploads_across_a_restart(tmp_path):
    data_dir, work = tmp_path / "data", tmp_path / "work"
    work.mkdir()
    process, ready = start_stack(data_dir, work, "first")
    try:
        client = Browserless(ready["url"])
        started = client.login(ZHANG, "888888")
        assert started["status"] == "activation_required"
        _, outbox = client.call("GET", f"/api/dev/outbox?phone={ZHANG_PHONE}")
        status, activated = client.call(
            "POST",
            "/api/auth/activate",
            {
                "activation_token": started["activation_token"],
                "sms_code": outbox["messages"][0]["code"],
                "new_password": NEW_PASSWORD,
            },
        )
        assert status == 200, activated
        s3_client(ready["S3_ENDPOINT"]).put_object(
            Bucket="sbp-local-uploads", Key="photos/z.jpg", Body=b"jpeg"
        )
        assert json.loads((work / "first.stack.json").read_text())["DDB_ENDPOINT"] == ready["DDB_ENDPOINT"]
    finally:
        assert stop_stack(process) == 0
    assert not (work / "first.stack.json").exists()  # a stopped stack leaves no endpoints behind

    process, ready = start_stack(data_dir, work, "second")
    try:
        client = Browserless(ready["url"])
        assert client.login(ZHANG, NEW_PASSWORD)["status"] == "ok"
        status, me = client.call("GET", "/api/me")
        assert status == 200 and me["name"] == "张伟"
        assert client.login("37142519620708352X", "888888")["status"] == "activation_required"
        body = s3_client(ready["S3_ENDPOINT"]).get_object(Bucket="sbp-local-uploads", Key="photos/z.jpg")[
            "Body"
        ]
        assert body.read() == b"jpeg"
    finally:
        assert stop_stack(process) == 0
    log = (work / "second.log").read_text(encoding="utf-8")
    assert "seed accounts: {'created': 0, 'existing': 5}" in log
