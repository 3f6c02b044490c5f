"""Certificates (参保证明): selective (the resident picks types and period), verifiable, revocable.

- Code: 100 random bits as 20 Crockford base32 characters (shown as 5 groups of 4); it is the
  key of the certificate item, printed on the PDF and in its QR code (the public verify URL).
- PDF: `pdf_certificate.render`, stored privately in S3; the resident gets a presigned URL
  valid for at most 5 minutes.
- Public verification: rate-limited per source IP (DynamoDB counter, `rate_limit.hit`), answers
  the masked facts, 404 for unknown codes, 410 for revoked or expired (90 days) certificates.
  Every verification of an existing certificate is logged; the owner sees who-verified-when.
- Revocation: by the owner (`revoke`) or by an operator (`revoke_by_ops`, the ops CLI, with a
  reason); both go through `_revoke` (one conditional update, then the audit event).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from .. import clock, policy, settings, storage
from .. import id_number as ids
from ..errors import BadInput, Gone, NotFound
from ..models.base import on_condition_failed
from ..models.certificate_verifications import CertificateVerification
from ..models.certificates import Certificate
from ..models.contribution_summaries import ContributionSummary
from ..models.contributions import Contribution
from . import accounts, audit, rate_limit
from .records import PAID_STATUSES, check_period, current_period
from .sessions import CurrentSession

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_CHARS = 20  # 100 bits
LOG_LIMIT = 50
RESIDENT, OPS = "RESIDENT", "OPS"
REVOKERS = {RESIDENT: "本人", OPS: "社保经办机构"}
REASON_MAX_CHARS = 200


def _settings() -> dict[str, int]:
    return policy.data()["certificates"]


def new_code() -> str:
    value = secrets.randbits(CODE_CHARS * 5)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_CHARS))


CODE_SEPARATORS = "一_.·\u2212"  # besides spaces and Unicode dashes: what people type between groups


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str | None) -> str | None:
    """Canonical code from what a person typed or pasted, or None: full-width characters as their
    ASCII forms (NFKC), any spaces and dashes (hyphen, en/em dash, minus, 一 typed by an IME)
    dropped, case folded, I/L→1, O→0."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text)
    cleaned = "".join(
        ch for ch in folded if not (ch.isspace() or unicodedata.category(ch) == "Pd" or ch in CODE_SEPARATORS)
    ).upper()
    cleaned = cleaned.translate(str.maketrans("ILO", "110"))
    if len(cleaned) != CODE_CHARS or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, clock.CHINA_TZ).strftime("%Y年%m月%d日")


def _verify_url(code: str) -> str:
    return f"{settings.site_origin()}/verify.html?code={code}"


def _state(cert: Certificate) -> tuple[str, str]:
    if cert.revoked_at:
        return "REVOKED", "已撤销"
    if cert.expires_at <= clock.now():
        return "EXPIRED", "已过期"
    return "VALID", "有效"


# ---- issue ---------------------------------------------------------------------------------


def _check_request(data: dict[str, Any], owned: set[str]) -> tuple[list[str], str, str]:
    types = data.get("types")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise BadInput("请至少选择一个险种", code="missing_field", field="types")
    if len(types) > _settings()["max_types"] or len(set(types)) != len(types):
        raise BadInput("险种选择有误", code="invalid_types", field="types")
    for code in types:
        policy.check_type(code)
        if code not in owned:
            raise BadInput(f"您没有{policy.type_name(code)}的参保记录", code="type_not_owned", field="types")
    if not data.get("from"):
        raise BadInput("请选择起始年月", code="missing_field", field="from")
    if not data.get("to"):
        raise BadInput("请选择截止年月", code="missing_field", field="to")
    start = check_period(data.get("from"), "from")
    end = check_period(data.get("to"), "to")
    if start > end:
        raise BadInput("起始年月不能晚于截止年月", code="invalid_range", field="from")
    if end > current_period():
        raise BadInput("截止年月不能晚于本月", code="invalid_range", field="to")
    order = list(policy.insurance_types())
    return sorted(types, key=order.index), start, end


def _type_facts(id_number: str, type_code: str, start: str, end: str) -> dict[str, Any]:
    months = owed = total = 0
    for item in Contribution.query(f"{id_number}#{type_code}", Contribution.period.between(start, end)):
        if item.status in PAID_STATUSES:
            months += 1
            total += int(item.employer_fen) + int(item.personal_fen)
        else:
            owed += 1
    return {
        "type_code": type_code,
        "type_name": policy.type_name(type_code),
        "months": months,
        "owed_months": owed,
        "total_fen": total,
    }


def issue(current: CurrentSession, data: dict[str, Any], ip: str | None) -> dict:
    """Issue a certificate for the chosen types and period: facts, PDF in S3, item, audit."""
    owned = {s.type_code for s in ContributionSummary.query(current.id_number) if s.paid or s.owed}
    types, start, end = _check_request(data, owned)
    account = accounts.get(current.id_number)
    now = int(clock.now())
    expires = now + _settings()["valid_days"] * 86400
    facts = {
        "name": account.name,
        "name_masked": mask_name(account.name),
        "id_number_masked": ids.mask(current.id_number),
        "from_period": start,
        "to_period": end,
        "types": [_type_facts(current.id_number, t, start, end) for t in types],
    }
    code = new_code()
    from .. import pdf_certificate  # noqa: PLC0415 (reportlab only on this path)

    pdf = pdf_certificate.render(facts, display(code), _verify_url(code), _day(now), _day(expires))
    key = f"certificates/{code}.pdf"
    storage.put_bytes(key, pdf, "application/pdf", {"issued-at": str(now)})
    cert = Certificate(
        code=code,
        id_number=current.id_number,
        issued_at=now,
        expires_at=expires,
        from_period=start,
        to_period=end,
        facts=facts,
        pdf_key=key,
        verify_count=0,
    )
    try:
        cert.save(condition=Certificate.code.does_not_exist())
    except PutError:
        storage.delete(key)
        raise
    audit.record(
        current.id_number,
        "certificate_issue",
        "ok",
        ip,
        {"code_tail": code[-4:], "types": types, "from": start, "to": end},
    )
    return dict(_mine(cert), download_url=storage.presigned_get(key, filename=f"certificate-{code[-6:]}.pdf"))


# ---- the resident's own certificates -------------------------------------------------------


def _mine(cert: Certificate) -> dict[str, Any]:
    state, label = _state(cert)
    return {
        "code": cert.code,
        "code_display": display(cert.code),
        "issued_at": int(cert.issued_at),
        "expires_at": int(cert.expires_at),
        "revoked_at": cert.revoked_at and int(cert.revoked_at),
        "from_period": cert.from_period,
        "to_period": cert.to_period,
        "types": [
            {k: t[k] for k in ("type_code", "type_name", "months", "owed_months", "total_fen")}
            for t in cert.facts["types"]
        ],
        "status": state,
        "status_label": label,
        "verify_count": int(cert.verify_count or 0),
        "revoked_by_label": REVOKERS[cert.revoked_by or RESIDENT] if cert.revoked_at else None,
        "verify_url": _verify_url(cert.code),
    }


def _owned(current: CurrentSession, code: str) -> Certificate:
    canonical = normalise_code(code)
    try:
        cert = Certificate.get(canonical) if canonical else None
    except Certificate.DoesNotExist:
        cert = None
    if cert is None or cert.id_number != current.id_number:
        raise NotFound("没有找到这份证明", code="certificate_not_found")
    return cert


def list_mine(current: CurrentSession) -> dict:
    items = Certificate.by_person.query(current.id_number, scan_index_forward=False, limit=LOG_LIMIT)
    return {"items": [_mine(c) for c in items]}


def download(current: CurrentSession, code: str) -> dict:
    cert = _owned(current, code)
    state, label = _state(cert)
    if state != "VALID":
        raise Gone(f"这份证明{label}，请重新开具", code=f"certificate_{state.lower()}")
    return {
        "download_url": storage.presigned_get(cert.pdf_key, filename=f"certificate-{cert.code[-6:]}.pdf"),
        "expires_in": storage.PRESIGN_MAX_S,
    }


def _revoke(
    cert: Certificate, by: str, reason: str | None, ip: str | None, action: str, detail: dict[str, Any]
) -> None:
    """Revoke once (conditional: not revoked yet, same owner); Gone if it already was; audited."""
    actions: list[Action] = [Certificate.revoked_at.set(int(clock.now())), Certificate.revoked_by.set(by)]
    if reason:
        actions.append(Certificate.revoke_reason.set(reason))
    with on_condition_failed(Gone("这份证明已撤销", code="certificate_revoked")):
        cert.update(
            actions=actions,
            condition=Certificate.revoked_at.does_not_exist() & (Certificate.id_number == cert.id_number),
        )
    audit.record(cert.id_number, action, "ok", ip, {"code_tail": cert.code[-4:], **detail})


def revoke(current: CurrentSession, code: str, ip: str | None) -> dict:
    cert = _owned(current, code)
    _revoke(cert, RESIDENT, None, ip, "certificate_revoke", {})
    return _mine(cert)


# ---- operators (ops CLI) -------------------------------------------------------------------


def _by_code(code: str | None) -> Certificate:
    canonical = normalise_code(code)
    if canonical is None:
        raise BadInput(
            "验证码格式不正确：应为20位字母或数字（可带连字符）", code="invalid_code", field="code"
        )
    try:
        return Certificate.get(canonical, consistent_read=True)
    except Certificate.DoesNotExist:
        raise NotFound("没有找到这份证明", code="certificate_not_found", field="code") from None


def check_revoke_reason(reason: str | None) -> str | None:
    """The operator's reason, whitespace collapsed; at most 200 characters and no ID number."""
    cleaned = " ".join((reason or "").split())
    if len(cleaned) > REASON_MAX_CHARS:
        raise BadInput(f"撤销原因最多{REASON_MAX_CHARS}个字", code="too_long", field="reason")
    if any(ids.is_valid(m.upper()) for m in re.findall(r"\d{17}[\dXx]", cleaned)):
        raise BadInput("撤销原因中不能包含身份证号码", code="reason_has_id_number", field="reason")
    return cleaned or None


def _ops_view(cert: Certificate) -> dict[str, Any]:
    last = next(iter(CertificateVerification.query(cert.code, scan_index_forward=False, limit=1)), None)
    return {
        **_mine(cert),
        "name": cert.facts["name"],
        "id_number_masked": cert.facts["id_number_masked"],
        "revoked_by": cert.revoked_by or (RESIDENT if cert.revoked_at else None),
        "revoke_reason": cert.revoke_reason,
        "verifications_logged": CertificateVerification.count(cert.code),
        "last_verified_at": int(last.at) if last else None,
    }


def ops_view(code: str | None) -> dict[str, Any]:
    """Facts, state and verification counts of any certificate, for an operator."""
    return _ops_view(_by_code(code))


def revoke_by_ops(
    code: str | None, reason: str | None, ip: str | None, operator: str | None = None
) -> dict[str, Any]:
    """An operator revokes a certificate by its code; verification then answers 410."""
    cert = _by_code(code)
    cleaned = check_revoke_reason(reason)
    _revoke(cert, OPS, cleaned, ip, "ops.certificate_revoke", {"by": operator, "reason": cleaned})
    return _ops_view(cert)


def verifications(current: CurrentSession, code: str) -> dict:
    cert = _owned(current, code)
    log = CertificateVerification.query(cert.code, scan_index_forward=False, limit=LOG_LIMIT)
    return {
        "code_display": display(cert.code),
        "items": [
            {"at": int(v.at), "outcome": v.outcome, "source_ip": v.source_ip, "agent": v.agent} for v in log
        ],
    }


# ---- public verification -------------------------------------------------------------------


def mask_ip(ip: str | None) -> str:
    if not ip:
        return "未知"
    if ":" in ip:
        return ":".join(ip.split(":")[:3]) + ":*"
    parts = ip.split(".")
    return ".".join([*parts[:3], "*"]) if len(parts) == 4 else "未知"


def _agent(user_agent: str | None) -> str:
    ua = (user_agent or "").lower()
    device = "手机" if any(k in ua for k in ("mobile", "android", "iphone")) else "电脑"
    if "micromessenger" in ua:
        return "微信扫码"
    if not ua:
        return "未知"
    return f"{device}浏览器" if "mozilla" in ua else "其他程序"


def _log(cert: Certificate, outcome: str, ip: str | None, user_agent: str | None) -> None:
    now = clock.now()
    CertificateVerification(
        code=cert.code,
        at_id=f"{int(now * 1000):013d}#{secrets.token_hex(4)}",
        at=int(now),
        outcome=outcome,
        source_ip=mask_ip(ip),
        agent=_agent(user_agent),
    ).save()


def verify(code: str, ip: str | None, user_agent: str | None) -> dict:
    """Public: the certificate's masked facts; 404 unknown, 410 revoked or expired; rate-limited."""
    rate_limit.hit("verify", ip or "unknown", _settings()["verify_limit_per_minute"])
    canonical = normalise_code(code)
    cert = None
    if canonical:
        try:
            cert = Certificate.get(canonical)
        except Certificate.DoesNotExist:
            cert = None
    if cert is None:
        raise NotFound("验证码不存在，请核对后重新输入", code="certificate_not_found", field="code")
    state, label = _state(cert)
    _log(cert, state, ip, user_agent)
    if state == "REVOKED":
        raise Gone(
            f"该证明已于{_day(int(cert.revoked_at))}被{REVOKERS[cert.revoked_by or RESIDENT]}撤销，不再有效",
            code="certificate_revoked",
        )
    if state == "EXPIRED":
        raise Gone(f"该证明已于{_day(int(cert.expires_at))}过期，不再有效", code="certificate_expired")
    cert.update(actions=[Certificate.verify_count.add(1)])
    facts = cert.facts
    return {
        "valid": True,
        "status_label": label,
        "code_display": display(cert.code),
        "name_masked": facts["name_masked"],
        "id_number_masked": facts["id_number_masked"],
        "from_period": facts["from_period"],
        "to_period": facts["to_period"],
        "issued_on": _day(int(cert.issued_at)),
        "expires_on": _day(int(cert.expires_at)),
        "types": [
            {k: t[k] for k in ("type_code", "type_name", "months", "owed_months", "total_fen")}
            for t in facts["types"]
        ],
    }
