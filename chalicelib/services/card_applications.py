"""Card information collection (社保卡申领信息采集) and replacement (补卡): a multi-step
application saved at every step and resumable from the to-do list where it stopped.

Steps: details (personal details confirmed) → bank → delivery (outlet pick-up or mail) →
photo (services/card_photos.py) → review (submit). One open application per resident: the
"OPEN" marker item is written in the same transaction as the application, on condition that
it does not exist yet.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pynamodb.transactions import TransactWrite

from .. import clock, masking, policy, storage
from .. import id_number as ids
from ..errors import BadInput, Conflict, NotFound
from ..models.base import on_condition_failed, transaction
from ..models.card_applications import OPEN_MARKER, CardApplication
from ..models.cards import Card
from . import accounts, audit, cards, tasks
from .sessions import CurrentSession

NEW, REPLACEMENT = "NEW", "REPLACEMENT"
KINDS = {"new": NEW, "replacement": REPLACEMENT}
KIND_LABELS = {NEW: "社保卡申领", REPLACEMENT: "社保卡补卡"}
DRAFT, SUBMITTED, ISSUED, WITHDRAWN = "DRAFT", "SUBMITTED", "ISSUED", "WITHDRAWN"
OPEN_STATUSES = (DRAFT, SUBMITTED)
STATUS_LABELS = {
    DRAFT: "填写中（未提交）",
    SUBMITTED: "已提交，制卡中",
    ISSUED: "已制卡",
    WITHDRAWN: "已撤销",
}
STEPS = ("details", "bank", "delivery", "photo", "review")
STEP_LABELS = {
    "details": "确认个人信息",
    "bank": "选择合作银行",
    "delivery": "选择领卡方式",
    "photo": "上传照片",
    "review": "核对并提交",
}
TASK_KIND = "card_application"

APPLICATION_ID_RE = re.compile(r"^A\d{14}[0-9A-F]{4}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
POSTAL_RE = re.compile(r"^\d{6}$")


# ---- reading -------------------------------------------------------------------------------


def load(id_number: str, application_id: str) -> CardApplication:
    # Not an id of ours (cards.new_id("A")): 404 before any storage call.
    if not isinstance(application_id, str) or not APPLICATION_ID_RE.match(application_id):
        raise NotFound("未找到该社保卡申请", code="application_not_found")
    try:
        return CardApplication.get(id_number, application_id, consistent_read=True)
    except CardApplication.DoesNotExist:
        raise NotFound("未找到该社保卡申请", code="application_not_found") from None


def load_draft(id_number: str, application_id: str) -> CardApplication:
    app = load(id_number, application_id)
    if app.status != DRAFT:
        raise Conflict(f"该申请{STATUS_LABELS[app.status]}，不能再修改", code="application_not_draft")
    return app


def next_step(app: CardApplication) -> str:
    if not app.details_confirmed:
        return "details"
    if not app.bank_code:
        return "bank"
    if not app.delivery:
        return "delivery"
    if not app.photo_key:
        return "photo"
    return "review"


def _delivery_view(delivery: dict | None) -> dict | None:
    if not delivery:
        return None
    out = dict(delivery)
    if "phone" in out:  # never the full number in an answer, even the one the resident typed
        out["phone_masked"] = masking.phone(out.pop("phone"))
    out["method_label"] = cards.options()["delivery"]["methods"][delivery["method"]]
    if delivery["method"] == "pickup":
        outlet = _outlet(delivery["outlet_code"]) or {}
        out["outlet_name"] = outlet.get("name")
        out["outlet_address"] = outlet.get("address")
    return out


def view(app: CardApplication) -> dict[str, Any]:
    step = next_step(app) if app.status == DRAFT else None
    return {
        "application_id": app.application_id,
        "kind": app.kind,
        "kind_label": KIND_LABELS[app.kind],
        "status": app.status,
        "status_label": STATUS_LABELS[app.status],
        "step": step,
        "steps": [
            {
                "name": s,
                "label": STEP_LABELS[s],
                "done": app.status != DRAFT or STEPS.index(s) < STEPS.index(next_step(app)),
            }
            for s in STEPS
        ],
        "details_confirmed": bool(app.details_confirmed),
        "bank_code": app.bank_code,
        "bank_name": cards.bank_name(app.bank_code),
        "delivery": _delivery_view(app.delivery),
        "photo_uploaded": bool(app.photo_key),
        "photo_checked_at": app.photo_checked_at,
        "created_at": app.created_at,
        "updated_at": app.updated_at,
        "submitted_at": app.submitted_at,
    }


def history(id_number: str) -> list[dict[str, Any]]:
    """The resident's applications, newest first."""
    items = CardApplication.query(
        id_number,
        CardApplication.application_id.startswith("A"),
        scan_index_forward=False,
        consistent_read=True,
    )
    return [view(a) for a in items]


def open_replacement(id_number: str, card_id: str) -> bool:
    return any(
        a.status == DRAFT and a.kind == REPLACEMENT and a.replaces_card_id == card_id
        for a in CardApplication.query(
            id_number, CardApplication.application_id.startswith("A"), consistent_read=True
        )
    )


def person(id_number: str) -> dict[str, Any]:
    """The personal details the resident confirms in the first step (from the registration)."""
    account = accounts.get(id_number)
    profile = account.profile or {}
    return {
        "name": account.name,
        "id_number_masked": ids.mask(account.id_number),
        "gender": profile.get("gender") or ids.gender(account.id_number),
        "birth_date": ids.birth_date(account.id_number).isoformat(),
        "ethnicity": profile.get("ethnicity") or profile.get("nation"),
        "phone_masked": masking.phone(account.phone),
    }


def get(current: CurrentSession, application_id: str) -> dict[str, Any]:
    app = load(current.id_number, application_id)
    return {**view(app), "person": person(current.id_number)}


def choices() -> dict[str, Any]:
    opts = cards.options()
    photo = policy.data()["social_security_card"]["photo"]
    return {
        "banks": opts["banks"],
        "outlets": opts["outlets"],
        "delivery": opts["delivery"],
        "photo": {
            "width_px": photo["width_px"],
            "height_px": photo["height_px"],
            "max_upload_bytes": photo["max_upload_bytes"],
            "max_stored_bytes": photo["max_stored_bytes"],
        },
        "steps": [{"name": s, "label": STEP_LABELS[s]} for s in STEPS],
    }


# ---- the to-do item --------------------------------------------------------------------------


def _task(app: CardApplication) -> None:
    step = next_step(app)
    tasks.upsert(
        app.id_number,
        TASK_KIND,
        app.application_id,
        title=f"{KIND_LABELS[app.kind]}（未提交，下一步：{STEP_LABELS[step]}）",
        resume_path=f"/card/apply.html?id={app.application_id}&step={step}",
        step=STEP_LABELS[step],
        data={"step": step},
    )


# ---- starting ----------------------------------------------------------------------------------


def start(current: CurrentSession, kind: str | None, ip: str) -> dict[str, Any]:
    """Open a new application (kind "new") or a replacement after a loss report ("replacement")."""
    id_number = current.id_number
    if kind not in KINDS:
        raise BadInput("申请类型不正确", code="invalid_kind", field="kind")
    card = cards.current(id_number)
    replaces = None
    if KINDS[kind] == NEW and card is not None:
        raise Conflict(
            f"您已有社会保障卡（状态：{cards.STATUS_LABELS[card.status]}），无需重新申领；"
            "如卡片丢失，请先挂失再申请补卡",
            code="card_exists",
        )
    if KINDS[kind] == REPLACEMENT:
        if card is None or card.status != cards.LOST:
            raise Conflict("只有已挂失的社保卡才能申请补卡，请先办理挂失", code="card_not_lost")
        replaces = card
    now = int(clock.now())
    app = CardApplication(
        id_number=id_number,
        application_id=cards.new_id("A"),
        kind=KINDS[kind],
        status=DRAFT,
        step="details",
        created_at=now,
        updated_at=now,
        replaces_card_id=replaces.card_id if replaces else None,
        bank_code=replaces.bank_code if replaces else None,
    )
    marker = CardApplication(
        id_number=id_number,
        application_id=OPEN_MARKER,
        open_application_id=app.application_id,
        created_at=now,
    )

    def already_open() -> Conflict:
        audit.record(id_number, "card_application_start", "already_open", ip)
        return Conflict("您已有一个未完成的社保卡申请，请继续办理该申请", code="application_open")

    with on_condition_failed(already_open), transaction() as tx:
        tx.save(marker, condition=CardApplication.application_id.does_not_exist())
        tx.save(app, condition=CardApplication.application_id.does_not_exist())
    _task(app)
    audit.record(
        id_number,
        "card_application_start",
        "ok",
        ip,
        {"application_id": app.application_id, "kind": app.kind},
    )
    return {**view(app), "person": person(id_number)}


# ---- the steps -------------------------------------------------------------------------------


def _save_step(
    app: CardApplication, changes: dict[str, Any], action: str, ip: str, detail: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Save one step's values and the next step in one conditional update; refresh the to-do."""
    now = int(clock.now())
    for name, value in changes.items():
        setattr(app, name, value)
    app.updated_at = now
    actions = [getattr(CardApplication, name).set(value) for name, value in changes.items()]
    with on_condition_failed(Conflict("该申请已提交或已撤销，不能再修改", code="application_not_draft")):
        app.update(
            actions=[*actions, CardApplication.step.set(next_step(app)), CardApplication.updated_at.set(now)],
            condition=CardApplication.status == DRAFT,
        )
    _task(app)
    audit.record(app.id_number, action, "ok", ip, {"application_id": app.application_id, **(detail or {})})
    return {**view(app), "person": person(app.id_number)}


def confirm_details(current: CurrentSession, application_id: str, confirmed: Any, ip: str) -> dict:
    """Step 1: the resident confirms the registered personal details."""
    app = load_draft(current.id_number, application_id)
    if confirmed is not True:
        raise BadInput(
            "请核对个人信息并勾选“以上信息准确无误”", code="details_not_confirmed", field="confirmed"
        )
    return _save_step(app, {"details_confirmed": True}, "card_application_details", ip)


def choose_bank(current: CurrentSession, application_id: str, bank_code: str | None, ip: str) -> dict:
    """Step 2: the cooperating bank that opens the card's financial account."""
    app = load_draft(current.id_number, application_id)
    if not cards.bank_name(bank_code):
        raise BadInput("请从列表中选择一家合作银行", code="invalid_bank", field="bank_code")
    return _save_step(app, {"bank_code": bank_code}, "card_application_bank", ip, {"bank_code": bank_code})


def _outlet(code: str | None) -> dict | None:
    return next((o for o in cards.options()["outlets"] if o["code"] == code), None)


def check_delivery(data: dict[str, Any]) -> dict[str, str]:
    """The delivery choice, checked field by field in form order; BadInput names the field."""
    rules = cards.options()["delivery"]
    method = data.get("method")
    if method == "pickup":
        code = data.get("outlet_code")
        if not isinstance(code, str) or not _outlet(code):
            raise BadInput("请选择领卡的服务网点", code="invalid_outlet", field="outlet_code")
        return {"method": "pickup", "outlet_code": code}
    if method != "mail":
        raise BadInput("请选择领卡方式：到服务网点领取或邮寄到家", code="invalid_method", field="method")
    values = {}
    for name in ("recipient", "phone", "address", "postal_code"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise BadInput("应为文本", code="wrong_type", field=name)
        values[name] = (value or "").strip()
    recipient = values["recipient"]
    if not recipient:
        raise BadInput("请填写收件人姓名", code="missing_field", field="recipient")
    if len(recipient) > rules["recipient_max_chars"]:
        raise BadInput(
            f"收件人姓名最多{rules['recipient_max_chars']}个字", code="too_long", field="recipient"
        )
    phone = values["phone"].replace(" ", "")
    if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
        raise BadInput(
            "联系电话不正确：请填写11位手机号码，或带区号的固定电话（如0534-2612345）",
            code="invalid_phone",
            field="phone",
        )
    address = values["address"]
    low, high = rules["address_min_chars"], rules["address_max_chars"]
    if not low <= len(address) <= high:
        raise BadInput(
            f"详细地址需为{low}至{high}个字，请写明区县、街道、小区、楼号和门牌号",
            code="invalid_address",
            field="address",
        )
    if not POSTAL_RE.match(values["postal_code"]):
        raise BadInput(
            "邮政编码应为6位数字（德州市区为253000）", code="invalid_postal_code", field="postal_code"
        )
    return {
        "method": "mail",
        "recipient": recipient,
        "phone": phone,
        "address": address,
        "postal_code": values["postal_code"],
    }


def set_delivery(current: CurrentSession, application_id: str, data: dict[str, Any], ip: str) -> dict:
    """Step 3: pick up at a service outlet, or mail to an address."""
    app = load_draft(current.id_number, application_id)
    delivery = check_delivery(data)
    return _save_step(
        app, {"delivery": delivery}, "card_application_delivery", ip, {"method": delivery["method"]}
    )


def save_photo(app: CardApplication, photo_key: str, ip: str) -> dict:
    """Step 4 (called by card_photos once the photo passed its checks)."""
    return _save_step(
        app, {"photo_key": photo_key, "photo_checked_at": int(clock.now())}, "card_application_photo", ip
    )


# ---- submitting, withdrawing, issuing ------------------------------------------------------


def submit(current: CurrentSession, application_id: str, ip: str) -> dict[str, Any]:
    """Step 5: submit; a card goes into production (a replacement cancels the lost card)."""
    id_number = current.id_number
    app = load_draft(id_number, application_id)
    missing = next_step(app)
    if missing != "review":
        raise BadInput(
            f"申请还没有填写完整，请先完成：{STEP_LABELS[missing]}",
            code="application_incomplete",
            field=missing,
        )
    now = int(clock.now())
    card = Card(
        id_number=id_number,
        card_id=cards.new_id("C"),
        status=cards.IN_PRODUCTION,
        bank_code=app.bank_code,
        application_id=app.application_id,
        created_at=now,
        status_changed_at=now,
        status_reason="申领信息已提交，制卡中",
    )

    def changed() -> Conflict:
        audit.record(
            id_number, "card_application_submit", "conflict", ip, {"application_id": app.application_id}
        )
        return Conflict(
            "申请或社保卡状态已变化（例如已解除挂失或已提交），请刷新页面后再试", code="application_conflict"
        )

    with on_condition_failed(changed), transaction() as tx:
        tx.update(
            app,
            actions=[
                CardApplication.status.set(SUBMITTED),
                CardApplication.step.set("done"),
                CardApplication.submitted_at.set(now),
                CardApplication.updated_at.set(now),
                CardApplication.card_id.set(card.card_id),
            ],
            condition=CardApplication.status == DRAFT,
        )
        tx.save(card, condition=Card.card_id.does_not_exist())
        if app.kind == REPLACEMENT:
            old = Card(id_number=id_number, card_id=app.replaces_card_id)
            tx.update(
                old,
                actions=[
                    Card.status.set(cards.CANCELLED),
                    Card.status_changed_at.set(now),
                    Card.status_reason.set("挂失后补卡，原卡注销"),
                ],
                condition=Card.status == cards.LOST,
            )
    tasks.close(id_number, TASK_KIND, app.application_id)
    audit.record(
        id_number,
        "card_application_submit",
        "ok",
        ip,
        {"application_id": app.application_id, "kind": app.kind, "card_id": card.card_id},
    )
    return {**view(load(id_number, application_id)), "card": cards.view(card)}


def _close(tx: TransactWrite, app: CardApplication, from_status: str, to_status: str, now: int) -> None:
    """In `tx`: the application goes from `from_status` to `to_status` (its last state) and the
    open-application marker it held is released, so another application may start."""
    tx.update(
        app,
        actions=[CardApplication.status.set(to_status), CardApplication.updated_at.set(now)],
        condition=CardApplication.status == from_status,
    )
    tx.delete(
        CardApplication(id_number=app.id_number, application_id=OPEN_MARKER),
        condition=CardApplication.open_application_id == app.application_id,
    )


def withdraw(current: CurrentSession, application_id: str, ip: str) -> dict[str, Any]:
    """Withdraw (撤销) an unsubmitted application; its photo is deleted."""
    id_number = current.id_number
    app = load_draft(id_number, application_id)
    now = int(clock.now())
    with (
        on_condition_failed(Conflict("该申请已提交或已撤销", code="application_not_draft")),
        transaction() as tx,
    ):
        _close(tx, app, DRAFT, WITHDRAWN, now)
    if app.photo_key:
        storage.delete(app.photo_key)
    tasks.close(id_number, TASK_KIND, app.application_id)
    audit.record(id_number, "card_application_withdraw", "ok", ip, {"application_id": app.application_id})
    return view(load(id_number, application_id))


def issue(
    id_number: str,
    application_id: str,
    card_no: str,
    bank_account: str,
    issued_on: date | None = None,
    ip: str = "ops",
    operator: str | None = None,
) -> dict[str, Any]:
    """Ops (card production done): the card becomes 正常 and the application is finished."""
    app = load(id_number, application_id)
    if app.status != SUBMITTED or not app.card_id:
        raise Conflict("该申请不在制卡中", code="application_not_submitted")
    cards.check_card_numbers(card_no, bank_account)
    issued = issued_on or clock.now_dt().date()
    now = int(clock.now())
    card = Card(id_number=id_number, card_id=app.card_id)
    refused = Conflict("申请或社保卡状态已变化，未能记录制卡完成", code="application_conflict")
    with on_condition_failed(refused), transaction() as tx:
        tx.update(
            card,
            actions=[
                Card.status.set(cards.NORMAL),
                Card.card_no.set(card_no),
                Card.bank_account.set(bank_account),
                Card.issued_on.set(issued.isoformat()),
                Card.valid_until.set(cards.valid_until(issued)),
                Card.status_changed_at.set(now),
                Card.status_reason.set("制卡完成"),
            ],
            condition=Card.status == cards.IN_PRODUCTION,
        )
        _close(tx, app, SUBMITTED, ISSUED, now)
    detail = {"application_id": app.application_id, "card": cards.mask_card_no(card_no)}
    if operator:
        detail["by"] = operator
    audit.record(id_number, "card_issue", "ok", ip, detail)
    card.refresh(consistent_read=True)
    return cards.view(card)
