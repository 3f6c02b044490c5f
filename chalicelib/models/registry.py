"""Every table model, for table creation (ops CLI, local stack, tests) and the CloudFormation check."""

from __future__ import annotations

from pynamodb.exceptions import TableError

from .. import settings
from .accounts import Account
from .audit import AuditEvent
from .bank_events import BankEvent
from .captchas import Captcha
from .card_applications import CardApplication
from .cards import Card
from .certificate_verifications import CertificateVerification
from .certificates import Certificate
from .codes import OneTimeCode
from .contribution_summaries import ContributionSummary
from .contributions import Contribution
from .employment_notices import EmploymentNotice
from .labour_contracts import LabourContract
from .messages import ResidentMessage
from .order_locks import MonthLock
from .orders import PaymentOrder
from .outbox import OutboxMessage
from .passkeys import Passkey
from .pension_accounts import PensionAccountYear
from .pension_payments import PensionPayment
from .rate_counters import RateCounter
from .record_conflicts import RecordConflict
from .sessions import Session
from .tasks import PendingTask
from .webauthn_challenges import WebAuthnChallenge

ALL_MODELS = [Account, Session, Captcha, OneTimeCode, AuditEvent, PendingTask, Contribution]

# The outbox holds the SMS and e-mail "sent" on the local stage only: no such table elsewhere.
if settings.is_local():
    ALL_MODELS.append(OutboxMessage)

ALL_MODELS += [Card, CardApplication]

ALL_MODELS += [PaymentOrder, MonthLock, BankEvent, ResidentMessage]

ALL_MODELS += [
    ContributionSummary,
    PensionAccountYear,
    PensionPayment,
    LabourContract,
    EmploymentNotice,
    Certificate,
    CertificateVerification,
    RateCounter,
]

ALL_MODELS += [RecordConflict]

# Tables whose items expire: DynamoDB TTL attribute (clean-up only; expiry is checked in code).
TTL_ATTRIBUTES = {Session: "expires_at", Captcha: "expires_at", OneTimeCode: "expires_at"}
TTL_ATTRIBUTES[RateCounter] = "expires_at"

ALL_MODELS += [Passkey, WebAuthnChallenge]
TTL_ATTRIBUTES[WebAuthnChallenge] = "expires_at"


def create_missing_tables(wait: bool = True) -> list[str]:
    """Create every table that does not exist yet; return the names created. Idempotent."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            try:
                model.create_table(wait=wait, billing_mode="PAY_PER_REQUEST")
            except TableError as exc:
                # A create retried after a read timeout finds the table its first try made.
                if "ResourceInUseException" not in str(exc.cause):
                    raise
            created.append(model.Meta.table_name)
    return created
