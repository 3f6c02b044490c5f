"""Structured logs, metrics and traces (AWS Lambda Powertools), wired into Chalice by `install(app)`.

- Logs: one JSON object per line with `request_id` (the Lambda request), `api_request_id` (API
  Gateway's), `path`, and `resident` (the keyed pseudonym of the signed-in resident, never the ID
  number). Every `sbp.*` logger goes through the same formatter at INFO.
- Metrics: CloudWatch embedded metric format under `NAMESPACE`, flushed after every invocation
  (`metric(...)`). The alarms of `infra/cfn_resources.py` read these names.
- Traces: on Lambda (active tracing), the Powertools Tracer patches botocore so every DynamoDB,
  S3 and Secrets Manager call is a subsegment. It is created on the first invocation in Lambda
  only (the X-Ray SDK costs a few hundred ms to import; tests and the local stack never load it).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "shebao-portal"
NAMESPACE = "ShebaoPortal"
# Custom metrics (alarmed on in infra/cfn_resources.py).
BANK_EVENT_FLAGGED = "BankEventsFlagged"
EXPIRY_JOB_FAILED = "ExpiryJobFailed"
EXPIRY_JOB_STOPPED_EARLY = "ExpiryJobStoppedEarly"
APP_LOGGERS = {"sbp"}

logger = Logger(service=SERVICE, level=os.environ.get("LOG_LEVEL", "INFO"))
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
_tracer = None


def _share_formatter() -> None:
    """`logging.getLogger("sbp.*")` lines come out as the same JSON, with the same keys."""
    for name in APP_LOGGERS:
        app_logger = logging.getLogger(name)
        app_logger.handlers = list(logger.handlers)
        app_logger.setLevel(logger.log_level)
        app_logger.propagate = False


_share_formatter()


def metric(name: str, value: float = 1, unit: str = "Count") -> None:
    """Record a metric for this invocation (stage as a dimension; flushed when it ends)."""
    metrics.add_metric(name=name, unit=getattr(MetricUnit, unit), value=value)


def set_resident(id_number: str | None) -> None:
    """Tag the rest of this invocation's log lines with the resident's keyed pseudonym (never
    the ID number itself)."""
    if id_number:
        from .security import pseudonym  # noqa: PLC0415 (its secret is read on first use only)

        logger.append_keys(resident=pseudonym.of(id_number))


def _in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def _start_tracer() -> None:
    global _tracer
    if _tracer is None and _in_lambda() and os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() != "true":
        from aws_lambda_powertools import Tracer  # noqa: PLC0415 (the X-Ray SDK costs ~0.4 s to import)

        _tracer = Tracer(service=SERVICE, patch_modules=["botocore"])


def begin(request_id: str | None, **keys: Any) -> None:
    """Start an invocation's log context (drops the previous invocation's keys)."""
    logger.remove_keys(["request_id", "api_request_id", "path", "resident", "function"])
    logger.append_keys(request_id=request_id, **{k: v for k, v in keys.items() if v})
    stage = os.environ.get("STAGE")
    if stage and metrics.default_dimensions.get("stage") != stage:
        metrics.clear_default_dimensions()
        metrics.clear_metrics()  # a new invocation: nothing of the previous one is kept
        metrics.set_default_dimensions(stage=stage)


def end() -> None:
    """Flush this invocation's metrics (one EMF line; nothing when none were recorded)."""
    if metrics.metric_set:
        metrics.flush_metrics()
    else:
        metrics.clear_metrics()


def install(app: Any) -> None:
    """Chalice middleware for every event type (API requests and the scheduled job). `app` is the
    Chalice app (not imported here: chalicelib knows nothing of Chalice)."""

    @app.middleware("all")
    def observe(event: Any, get_response: Any) -> Any:
        _start_tracer()
        context = app.lambda_context
        request_id = getattr(context, "aws_request_id", None)
        api_context = getattr(event, "context", None) or {}
        begin(
            request_id,
            api_request_id=api_context.get("requestId") if isinstance(api_context, dict) else None,
            path=getattr(event, "path", None),
            function=getattr(context, "function_name", None),
        )
        try:
            return get_response(event)
        finally:
            end()
