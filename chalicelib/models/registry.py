"""Every table model, for table creation (ops CLI, local stack, tests) and the CloudFormation check."""
from __future__ import annotations

from .accounts import Account
from .audit import AuditEvent
from .captchas import Captcha
from .codes import OneTimeCode
from .contributions import Contribution
from .outbox import OutboxMessage
from .sessions import Session
from .tasks import PendingTask

ALL_MODELS = [Account, Session, Captcha, OneTimeCode, OutboxMessage, AuditEvent, PendingTask,
              Contribution]

# Tables whose items expire: DynamoDB TTL attribute (clean-up only; expiry is checked in code).
TTL_ATTRIBUTES = {Session: "expires_at", Captcha: "expires_at", OneTimeCode: "expires_at"}


def create_missing_tables(wait: bool = True) -> list[str]:
    """Create every table that does not exist yet; return the names created. Idempotent."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=wait, billing_mode="PAY_PER_REQUEST")
            created.append(model.Meta.table_name)
    return created
