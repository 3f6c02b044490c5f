"""The edge (origin secret, client address from CloudFront-Viewer-Address) and the structured
logs and metrics (Powertools) the deployed functions write."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from chalicelib import edge, observability

SECRET = "origin-secret-for-tests"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def deployed_stage(monkeypatch):
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("ORIGIN_SECRET", SECRET)


def test_request_without_the_origin_secret_is_refused_outside_local(tables, monkeypatch):
    from chalice.test import Client

    import app as app_module

    monkeypatch.setenv("ORIGIN_SECRET", SECRET)
    with Client(app_module.app, stage_name="prod", project_dir=str(ROOT)) as prod:  # the prod stage's env
        for headers in ({}, {"X-Origin-Verify": "guess"}, {"X-Forwarded-For": "127.0.0.1"}):
            answer = prod.http.get("/api/openapi.json", headers=headers)
            assert answer.status_code == 403
            assert answer.json_body["error"]["code"] == "origin_forbidden"
        assert prod.http.get("/api/openapi.json", headers={"X-Origin-Verify": SECRET}).status_code == 200


def test_local_stage_needs_no_origin_secret(client):
    assert client.http.get("/api/openapi.json").status_code == 200


def test_client_address_is_the_viewer_address_not_x_forwarded_for(deployed_stage):
    headers = {
        "x-forwarded-for": "198.51.100.66, 203.0.113.9",
        "cloudfront-viewer-address": "203.0.113.9:51234",
    }
    assert edge.client_address(headers, "70.132.1.1") == "203.0.113.9"
    spoofed = {"x-forwarded-for": "198.51.100.66", "cloudfront-viewer-address": "2001:db8::7:443"}
    assert edge.client_address(spoofed, "70.132.1.1") == "2001:db8::7"


def test_garbage_viewer_address_falls_back_to_the_source_ip(deployed_stage):
    assert edge.viewer_ip("not-an-address:80") is None and edge.viewer_ip("203.0.113.9") is None
    assert edge.client_address({"cloudfront-viewer-address": "x"}, "70.132.1.1") == "70.132.1.1"


def test_local_client_address_is_the_source_ip():
    assert edge.client_address({"cloudfront-viewer-address": "203.0.113.9:1"}, "127.0.0.1") == "127.0.0.1"


@pytest.fixture
def log_lines(monkeypatch):
    """What the shared Powertools handler writes, as parsed JSON lines."""
    buffer = io.StringIO()
    [handler] = observability.logger.handlers
    monkeypatch.setattr(handler, "stream", buffer)

    def read() -> list[dict]:
        lines = [json.loads(x) for x in buffer.getvalue().splitlines() if x.strip()]
        buffer.truncate(0)
        buffer.seek(0)
        return lines

    return read


def test_log_lines_are_json_with_request_id_and_resident_pseudonym(log_lines):
    from chalicelib.security import pseudonym

    observability.begin("lambda-req-1", api_request_id="api-req-9", path="/api/me")
    observability.set_resident("371402198503142314")
    logging.getLogger("sbp.test").info("something happened")
    [line] = [x for x in log_lines() if x["message"] == "something happened"]
    assert line["request_id"] == "lambda-req-1" and line["api_request_id"] == "api-req-9"
    assert line["resident"] == pseudonym.of("371402198503142314") and "371402198503142314" not in json.dumps(
        line
    )
    assert line["level"] == "INFO" and line["service"] == "shebao-portal"
    observability.begin("lambda-req-2")  # the next invocation does not inherit the resident
    logging.getLogger("sbp.test").info("next one")
    [line] = [x for x in log_lines() if x["message"] == "next one"]
    assert "resident" not in line and line["request_id"] == "lambda-req-2"


def test_metrics_are_flushed_as_embedded_metric_format_with_the_stage(capsys, monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    observability.begin("lambda-req-3")
    observability.metric(observability.BANK_EVENT_FLAGGED)
    observability.end()
    [emf] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == observability.NAMESPACE
    assert emf[observability.BANK_EVENT_FLAGGED] == [1.0] or emf[observability.BANK_EVENT_FLAGGED] == 1.0
    assert emf["stage"] == "dev" and emf["service"] == "shebao-portal"


def test_a_failing_expiry_run_is_counted_and_still_fails_the_invocation(client, monkeypatch, capsys):
    """The failure must reach Lambda (failure destination, Errors alarm) and the metric."""
    from chalicelib.services import payment_expiry

    def broken(**_):
        raise RuntimeError("storage down")

    monkeypatch.setattr(payment_expiry, "expire_stale", broken)
    with pytest.raises(RuntimeError):
        event = client.events.generate_cw_event(
            source="aws.events",
            detail_type="Scheduled Event",
            detail={},
            resources=["arn:aws:events:us-east-1:123456789012:rule/x"],
        )
        client.lambda_.invoke("expire_payment_orders", event)
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert any(observability.EXPIRY_JOB_FAILED in e for e in emf)
