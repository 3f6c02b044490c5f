"""The CSV formats of the core system's export files (documented in docs/import-formats.md).

Each format: the exact header, and `parse(row) -> Parsed` that validates every field and builds
the item to write, or raises `RowError(code, message)`. Checks that need the database (the
person must be known) are done by the runner. Keys are deterministic, so writing a row twice
gives the same item (idempotent import).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib import id_number as ids
from chalicelib import masking, policy

PERIOD_RE = re.compile(r"^\d{6}$")
FEN_RE = re.compile(r"^\d{1,12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PHONE_RE = re.compile(r"^1\d{10}$")
NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
STATUSES = ("PAID", "OWED", "BACKPAID")
CONTRACT_TYPES = ("FIXED", "OPEN", "TASK")
NOTICE_KINDS = ("EMPLOYED", "UNEMPLOYED", "FLEXIBLE", "TRAINING", "SUBSIDY")
PERSON_STATUSES = ("在职", "退休", "灵活就业", "城乡居民", "失业", "死亡")
PENSION_SCHEMES = ("EMPLOYEE", "RESIDENT")
MAX_TEXT = 100


class RowError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class RowItem:
    """The item a row writes: its model class and attribute values. `serialize()` gives what
    `model(**values).serialize()` gives (the model's own attribute names, types, defaults and
    required attributes), without building a pynamodb model instance per row — on a large file
    that instance was the biggest part of the import's own CPU time. Scalar attributes only
    (Unicode, Number, JSON, ...); models with Map or List attributes are refused."""

    __slots__ = ("model", "values")

    def __init__(self, model: type, **values: Any):
        unknown = values.keys() - _attribute_names(model)
        if unknown:
            raise TypeError(f"{model.__name__} has no attribute(s) {', '.join(sorted(unknown))}")
        self.model = model
        self.values = values

    @property
    def Meta(self):  # noqa: N802 (like a model: item.Meta.table_name)
        return self.model.Meta

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def serialize(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, attribute in _scalar_attributes(self.model):
            value = self.values.get(name)
            if value is None:
                default = attribute.default
                value = default() if callable(default) else default
            if value is None:
                if not attribute.null:
                    raise ValueError(f"{self.model.__name__}.{name} is required")
                continue
            out[attribute.attr_name] = {attribute.attr_type: attribute.serialize(value)}
        return out


@functools.cache
def _scalar_attributes(model: type) -> tuple[tuple[str, Any], ...]:
    from pynamodb.attributes import ListAttribute, MapAttribute

    attributes = tuple(model.get_attributes().items())
    nested = [name for name, a in attributes if isinstance(a, (ListAttribute, MapAttribute))]
    if nested:
        raise TypeError(f"RowItem does not serialize {model.__name__}.{', '.join(nested)} (Map/List)")
    return attributes


@functools.cache
def _attribute_names(model: type) -> frozenset[str]:
    return frozenset(name for name, _ in _scalar_attributes(model))


@dataclass
class Parsed:
    """A valid row: the item to write (a model instance, or a RowItem) and the key that
    identifies it."""

    id_number: str
    key: tuple[str, ...]
    item: Any
    # contributions only: (type_code, status, period) for the summary update
    summary: tuple[str, str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ---- field checks ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _valid_id(candidate: str) -> bool:
    """An export names each person on many rows: check each number once (same answer)."""
    return ids.is_valid(candidate)


def valid_id(candidate: str) -> bool:
    """Whether `candidate` (already stripped and upper-cased) is a valid citizen ID number."""
    return _valid_id(candidate)


def person(value: str) -> str:
    candidate = (value or "").strip().upper()
    if not _valid_id(candidate):
        raise RowError("invalid_id_number", "身份证号码无效（长度、出生日期或校验位错误）")
    return candidate


def period(value: str, name: str = "period") -> str:
    text = (value or "").strip()
    if not PERIOD_RE.match(text) or not 1 <= int(text[4:]) <= 12 or int(text[:4]) < 1950:
        raise RowError("invalid_period", f"{name} 应为 YYYYMM（例如 202403）")
    return text


def fen(value: str, name: str, required: bool = True) -> int | None:
    text = (value or "").strip()
    if not text and not required:
        return None
    if not FEN_RE.match(text):
        raise RowError("invalid_amount", f"{name} 应为非负整数（单位：分）")
    return int(text)


def text(value: str, name: str, required: bool = True, max_chars: int = MAX_TEXT) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise RowError("missing_value", f"{name} 不能为空")
        return None
    if len(cleaned) > max_chars:
        raise RowError("too_long", f"{name} 超过{max_chars}个字符")
    return cleaned


def day(value: str, name: str, required: bool = True) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise RowError("missing_value", f"{name} 不能为空")
        return None
    try:
        if not DATE_RE.match(cleaned):
            raise ValueError
        date.fromisoformat(cleaned)
    except ValueError:
        raise RowError("invalid_date", f"{name} 应为 YYYY-MM-DD 的有效日期") from None
    return cleaned


def one_of(value: str, name: str, allowed: tuple[str, ...]) -> str:
    cleaned = (value or "").strip().upper()
    if cleaned not in allowed:
        raise RowError("invalid_code", f"{name} 应为 {'/'.join(allowed)} 之一")
    return cleaned


def type_code(value: str) -> str:
    cleaned = (value or "").strip()
    if cleaned not in policy.insurance_types():
        raise RowError("unknown_type_code", "未知的险种代码（应为 110 210 310 410 510 170 390）")
    return cleaned


def number(value: str, name: str) -> str:
    cleaned = (value or "").strip()
    if not NUMBER_RE.match(cleaned):
        raise RowError("invalid_number", f"{name} 应为1至32位字母、数字或连字符")
    return cleaned


# ---- formats -----------------------------------------------------------------------------


def original_retirement_age(value: str | None, number_: str) -> int | None:
    """The original statutory retirement age (the reform track): 60 for men, 50 (female workers)
    or 55 (female cadres, most flexible workers) for women; blank when unknown."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    allowed = ("60",) if ids.gender(number_) == "男" else ("50", "55")
    if cleaned not in allowed:
        raise RowError("invalid_retirement_age", f"original_retirement_age 应为 {'/'.join(allowed)} 或留空")
    return int(cleaned)


def parse_person(row: dict[str, str]) -> Parsed:
    from chalicelib.models.accounts import Account

    number_ = person(row["id_number"])
    phone = (row.get("phone") or "").strip() or None
    if phone and not PHONE_RE.match(phone):
        raise RowError("invalid_phone", "phone 应为11位手机号码")
    email = (row.get("email") or "").strip() or None
    if email and ("@" not in email or len(email) > 100):
        raise RowError("invalid_email", "email 格式不正确")
    status = text(row.get("person_status"), "person_status")
    if status not in PERSON_STATUSES:
        raise RowError("invalid_code", f"person_status 应为 {'/'.join(PERSON_STATUSES)} 之一")
    profile = {
        "gender": ids.gender(number_),
        "person_status": status,
        "employer": text(row.get("employer"), "employer", required=False),
        "insured_region": text(row.get("insured_region"), "insured_region", required=False),
        "original_retirement_age": original_retirement_age(row.get("original_retirement_age"), number_),
    }
    item = Account(
        id_number=number_,
        name=text(row["name"], "name", max_chars=30),
        phone=phone,
        email=email,
        profile={k: v for k, v in profile.items() if v is not None},
    )
    return Parsed(number_, (number_,), item, extra={"phone_masked": masking.phone(phone)})


def parse_contribution(row: dict[str, str]) -> Parsed:
    from chalicelib.models.contributions import Contribution

    number_ = person(row["id_number"])
    code = type_code(row["type_code"])
    month = period(row["period"])
    status = one_of(row["status"], "status", STATUSES)
    posted = day(row.get("posted_on"), "posted_on", required=status != "OWED")
    item = RowItem(
        Contribution,
        person_type=f"{number_}#{code}",
        period=month,
        employer=text(row["employer"], "employer"),
        base_fen=fen(row["base_fen"], "base_fen"),
        employer_fen=fen(row["employer_fen"], "employer_fen"),
        personal_fen=fen(row["personal_fen"], "personal_fen"),
        account_fen=fen(row["account_fen"], "account_fen"),
        status=status,
        posted_on=posted,
        source="import",
    )
    return Parsed(number_, (item.person_type, month), item, summary=(code, status, month))


def parse_pension_account(row: dict[str, str]) -> Parsed:
    from chalicelib.models.pension_accounts import PensionAccountYear

    number_ = person(row["id_number"])
    year = (row.get("year") or "").strip()
    if not re.match(r"^\d{4}$", year) or not 1950 <= int(year) <= 2100:
        raise RowError("invalid_year", "year 应为四位年份")
    months = (row.get("months") or "").strip()
    if not re.match(r"^\d{1,2}$", months) or int(months) > 12:
        raise RowError("invalid_months", "months 应为0至12的整数")
    item = RowItem(
        PensionAccountYear,
        id_number=number_,
        year=year,
        months=int(months),
        credited_fen=fen(row["credited_fen"], "credited_fen"),
        opening_fen=fen(row.get("opening_fen"), "opening_fen", required=False),
        source="import",
    )
    return Parsed(number_, (number_, year), item)


def parse_pension_payment(row: dict[str, str]) -> Parsed:
    from chalicelib.models.pension_payments import PensionPayment

    number_ = person(row["id_number"])
    month = period(row["period"])
    items = []
    for part in (row.get("items") or "").split("|"):
        name, sep, amount = part.partition("=")
        if not sep or not name.strip():
            raise RowError("invalid_items", "items 应为 名称=金额分|名称=金额分")
        items.append({"name": text(name, "items", max_chars=20), "amount_fen": fen(amount, "items 金额")})
    gross = fen(row["gross_fen"], "gross_fen")
    if gross != sum(i["amount_fen"] for i in items):
        raise RowError("gross_mismatch", "gross_fen 与各项金额之和不一致")
    account = (row.get("bank_account") or "").strip()
    if not re.match(r"^\d{12,19}$", account):
        raise RowError("invalid_bank_account", "bank_account 应为12至19位数字")
    scheme = one_of(row.get("scheme") or "EMPLOYEE", "scheme", PENSION_SCHEMES).lower()
    item = RowItem(
        PensionPayment,
        id_number=number_,
        period=month,
        items=items,
        gross_fen=gross,
        bank_name=text(row["bank_name"], "bank_name", max_chars=30),
        bank_account_masked=masking.account(account),
        pay_date=day(row["pay_date"], "pay_date"),
        source="import",
        scheme=scheme,
    )
    return Parsed(number_, (number_, month), item)


def parse_labour_contract(row: dict[str, str]) -> Parsed:
    from chalicelib.models.labour_contracts import LabourContract

    number_ = person(row["id_number"])
    start = day(row["start_date"], "start_date")
    end = day(row.get("end_date"), "end_date", required=False)
    if end and end < start:
        raise RowError("invalid_range", "end_date 早于 start_date")
    contract_no = number(row["contract_no"], "contract_no")
    item = RowItem(
        LabourContract,
        id_number=number_,
        contract_id=f"{start}#{contract_no}",
        employer=text(row["employer"], "employer"),
        start_date=start,
        end_date=end,
        contract_type=one_of(row["contract_type"], "contract_type", CONTRACT_TYPES),
        position=text(row.get("position"), "position", required=False, max_chars=30),
        source="import",
    )
    return Parsed(number_, (number_, item.contract_id), item)


def parse_employment_notice(row: dict[str, str]) -> Parsed:
    from chalicelib.models.employment_notices import EmploymentNotice

    number_ = person(row["id_number"])
    when = day(row["date"], "date")
    notice_no = number(row["notice_no"], "notice_no")
    item = RowItem(
        EmploymentNotice,
        id_number=number_,
        notice_id=f"{when}#{notice_no}",
        kind=one_of(row["kind"], "kind", NOTICE_KINDS),
        notice_date=when,
        organisation=text(row["organisation"], "organisation"),
        detail=text(row.get("detail"), "detail", required=False, max_chars=200),
        source="import",
    )
    return Parsed(number_, (number_, item.notice_id), item)


@dataclass(frozen=True)
class Format:
    kind: str
    header: tuple[str, ...]
    parse: Callable[[dict[str, str]], Parsed]
    needs_person: bool = True
    batch_writable: bool = True
    optional: tuple[str, ...] = ()  # columns a file may add after the header (empty = default)

    def columns_of(self, header: tuple[str, ...]) -> tuple[str, ...] | None:
        """The columns this file carries, in the format's order, or None if the header is wrong."""
        if (
            len(set(header)) != len(header)
            or not set(self.header) <= set(header)
            or not set(header) <= set(self.header) | set(self.optional)
        ):
            return None
        return self.header + tuple(c for c in self.optional if c in header)


FORMATS = {
    f.kind: f
    for f in [
        Format(
            "persons",
            ("id_number", "name", "phone", "email", "person_status", "employer", "insured_region"),
            parse_person,
            needs_person=False,
            batch_writable=False,
            optional=("original_retirement_age",),
        ),
        Format(
            "contributions",
            (
                "id_number",
                "type_code",
                "period",
                "employer",
                "base_fen",
                "employer_fen",
                "personal_fen",
                "account_fen",
                "status",
                "posted_on",
            ),
            parse_contribution,
        ),
        Format(
            "pension-account",
            ("id_number", "year", "months", "credited_fen", "opening_fen"),
            parse_pension_account,
        ),
        Format(
            "pension-payments",
            ("id_number", "period", "items", "gross_fen", "bank_name", "bank_account", "pay_date"),
            parse_pension_payment,
            optional=("scheme",),
        ),
        Format(
            "labour-contracts",
            ("id_number", "contract_no", "employer", "start_date", "end_date", "contract_type", "position"),
            parse_labour_contract,
        ),
        Format(
            "employment-notices",
            ("id_number", "notice_no", "date", "kind", "organisation", "detail"),
            parse_employment_notice,
        ),
    ]
}
