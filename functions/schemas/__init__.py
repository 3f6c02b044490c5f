"""The HTTP contract: request and response models (msgspec Structs) beside the handlers.

A handler declares its contract with `@contract(...)` under its `@bp.route(...)`; the handler
parses its input through the models (`web.body_model`, `web.query_model`), and
`functions/openapi.py` builds `/api/openapi.json` from the same declarations, so the document
and the validation cannot drift. msgspec rather than pydantic: measured on cold start it adds
about 10 ms to `import app` where pydantic v2 adds about 200 ms (issue 16).

Shape checks (required, type, length, pattern, enum, range) live in the models; domain checks
(GB 11643 check digit, policy bands, allowed months ...) stay in the services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from chalicelib.cursor import MAX_CURSOR_CHARS
from chalicelib.errors import BadInput

MAX_FIELD_CHARS = 256


class Model(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """Base of every request and response model (unknown request fields are ignored)."""


# ---- field types shared by the models --------------------------------------------------------

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_FIELD_CHARS)]
OptionalText = Annotated[str, msgspec.Meta(max_length=MAX_FIELD_CHARS)]
IdNumber = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_FIELD_CHARS,
        description="居民身份证号码 (GB 11643, 18 characters)",
        examples=["371402198503142314"],
    ),
]
Period = Annotated[
    str, msgspec.Meta(pattern=r"^\d{4}(0[1-9]|1[0-2])$", description="year-month YYYYMM", examples=["202403"])
]
Year = Annotated[int, msgspec.Meta(ge=1900, le=2999, description="calendar year")]
Fen = Annotated[int, msgspec.Meta(description="money in integer fen (分)")]
Cursor = Annotated[str, msgspec.Meta(max_length=MAX_CURSOR_CHARS, description="opaque page cursor")]
Timestamp = Annotated[int, msgspec.Meta(description="Unix time in seconds")]
MAX_FEN = 10**11  # ¥1,000,000,000.00: far above any contribution, far below int64


def one_of(values: Any) -> Any:
    """A closed set of strings (from the data files) as a type: validated and listed as an enum."""
    return Literal[tuple(values)]


class Error(Model):
    code: str
    message: str
    field: str | None = None


class ErrorAnswer(Model):
    """Every error: a fitting 4xx (or 503), a machine code, a Chinese message, the field at fault."""

    error: Error


class Status(Model):
    """A bare acknowledgement."""

    status: str


class OpenApiDocument(Model):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


# ---- path parameters -------------------------------------------------------------------------

PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "order_no": {
        "type": "string",
        "pattern": r"^P\d{8}[0-9A-F]{10}$",
        "maxLength": 19,
        "description": "payment order number",
    },
    "application_id": {
        "type": "string",
        "pattern": r"^A\d{14}[0-9A-F]{4}$",
        "maxLength": 19,
        "description": "card application id",
    },
    "code": {
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "description": "certificate verification code",
    },
    "type_code": {
        "type": "string",
        "pattern": r"^\d{3}$",
        "maxLength": 3,
        "description": "insurance type code (110 pension, 210 unemployment, 310 medical ...)",
    },
    "bank_code": {
        "type": "string",
        "minLength": 1,
        "maxLength": 16,
        "description": "bank code (icbc, ccb, abc)",
    },
    "captcha_id": {"type": "string", "minLength": 1, "maxLength": 64},
}
DEFAULT_PATH_PARAMETER = {"type": "string", "minLength": 1, "maxLength": 64}


# ---- the declaration -------------------------------------------------------------------------


@dataclass(frozen=True)
class Contract:
    body: type | None = None
    query: type | None = None
    responses: dict[int, type | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    public: bool = False


def contract(
    *,
    body: type | None = None,
    query: type | None = None,
    responses: dict[int, type | None] | None = None,
    errors: tuple[int, ...] = (),
    public: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach the route's request and response models (read by openapi.py)."""
    declared = Contract(body, query, dict(responses or {200: Status}), tuple(errors), public)

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, "_sbp_contract", declared)  # noqa: B010 (a plain function: mypy knows no such attribute)
        return view

    return mark


def of(view: Callable[..., Any]) -> Contract | None:
    return getattr(view, "_sbp_contract", None)


# ---- decoding with Chinese messages ---------------------------------------------------------

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")
_TYPE_NAMES = {
    "str": "文本",
    "int": "整数",
    "bool": "是或否",
    "array": "列表",
    "object": "对象",
    "float": "数字",
}


def _field_of(path: str, name: str | None) -> str:
    """`$.insured.id_number` → "insured.id_number"; list indexes kept ("months[0]")."""
    dotted = path.lstrip(".")
    if name:
        dotted = f"{dotted}.{name}" if dotted else name
    return dotted or "body"


def _bad_input(message: str) -> BadInput:
    at = _AT.search(message)
    path = at.group("path") if at else ""
    core = message[: at.start()] if at else message
    missing = _MISSING.match(core)
    if missing:
        name = _field_of(path, missing.group("name"))
        return BadInput(f"缺少必填项：{name}", code="missing_field", field=name)
    name = _field_of(path, None)
    if m := re.match(r"^Expected `(\w+)` of length >= 1$", core):
        return BadInput(f"缺少必填项：{name}", code="missing_field", field=name)
    if m := re.match(r"^Expected `(\w+)` of length <= (\d+)$", core):
        unit = "个字符" if m.group(1) == "str" else "项"
        return BadInput(f"{name} 过长（最多{m.group(2)}{unit}）", code="too_long", field=name)
    if m := re.match(r"^Expected `(\w+)` of length >= (\d+)$", core):
        unit = "个字符" if m.group(1) == "str" else "项"
        return BadInput(f"{name} 过短（至少{m.group(2)}{unit}）", code="too_short", field=name)
    if m := re.match(r"^Expected `(\w+)(?: \| null)?`, got `\w+`$", core):
        kind = _TYPE_NAMES.get(m.group(1), m.group(1))
        return BadInput(f"{name} 应为{kind}", code="wrong_type", field=name)
    if core.startswith("Expected `str` matching regex"):
        return BadInput(f"{name} 格式不正确", code="invalid_format", field=name)
    if core.startswith("Invalid enum value"):
        return BadInput(f"{name} 的取值不在可选范围内", code="invalid_value", field=name)
    if re.match(r"^Expected `(int|float)` [<>]=? ", core):
        return BadInput(f"{name} 超出允许范围", code="out_of_range", field=name)
    return BadInput(f"{name} 不正确", code="invalid_value", field=name)


def _integral(value: Any) -> Any:
    """JSON does not tell 185 from 185.0 (JSON Schema calls both integers): take 185.0 as 185."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def decode(model: type, data: Any, *, strict: bool = True) -> Any:
    """`data` (a parsed JSON object, or query parameters with strict=False) as `model`, or BadInput."""
    try:
        return msgspec.convert(_integral(data), model, strict=strict)
    except msgspec.ValidationError as exc:
        raise _bad_input(str(exc)) from None


def as_dict(value: Any) -> dict[str, Any]:
    """A decoded model back as plain dict (fields left out of the request are absent)."""
    return {f: getattr(value, f) for f in value.__struct_fields__ if getattr(value, f) is not msgspec.UNSET}
