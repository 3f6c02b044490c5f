"""Password protection (密码保护): security questions with hashed answers; the registered
phone is the other method."""

from __future__ import annotations

import json
from pathlib import Path

from .. import masking
from ..errors import BadInput
from ..models.accounts import Account
from ..security import passwords
from . import accounts, audit

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "security_questions.json"
REQUIRED_QUESTIONS = 2
MAX_ANSWER_CHARS = 50


def question_list() -> list[str]:
    return json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))


def _normalise_answer(answer: str) -> str:
    return "".join(answer.split()).lower()


def answers_match(protection: list[dict], answers: list[str]) -> bool:
    results = [
        isinstance(a, str) and passwords.verify_password(p["answer_hash"], _normalise_answer(a))
        for p, a in zip(protection, answers, strict=True)
    ]  # lengths checked by the caller
    return all(results)


def status(id_number: str) -> dict:
    account = accounts.get(id_number)
    return {
        "questions": [p["question"] for p in (account.protection or [])],
        "phone_masked": masking.phone(account.phone),
        "available_questions": question_list(),
    }


def set_questions(id_number: str, password: str, items: object, ip: str) -> dict:
    """Replace the security questions; the current password is required."""
    account = accounts.get(id_number)
    if not passwords.verify_password(account.password_hash, password or ""):
        audit.record(id_number, "protection_change", "bad_password", ip)
        raise BadInput("当前密码不正确", code="bad_password", field="password")
    allowed = set(question_list())
    if not isinstance(items, list) or len(items) != REQUIRED_QUESTIONS:
        raise BadInput(f"请设置{REQUIRED_QUESTIONS}个密保问题", code="invalid_questions", field="questions")
    stored, seen = [], set()
    for index, item in enumerate(items):
        field = f"questions.{index}"
        if not isinstance(item, dict):
            raise BadInput("密保问题格式不正确", code="invalid_questions", field=field)
        question, answer = item.get("question"), item.get("answer")
        if question not in allowed or question in seen:
            raise BadInput("请从列表中选择两个不同的问题", code="invalid_questions", field=field)
        if not isinstance(answer, str) or not answer.strip() or len(answer) > MAX_ANSWER_CHARS:
            raise BadInput(f"请填写答案（1至{MAX_ANSWER_CHARS}个字）", code="invalid_answer", field=field)
        seen.add(question)
        stored.append(
            {"question": question, "answer_hash": passwords.hash_password(_normalise_answer(answer))}
        )
    Account(id_number=id_number).update(
        actions=[Account.protection.set(stored)], condition=Account.id_number.exists()
    )
    audit.record(id_number, "protection_change", "ok", ip)
    return {"status": "ok", "questions": [s["question"] for s in stored]}
