"""JSON bodies within the input limits (PRODUCT.md section 8), checked before parsing.

Size first (413), then nesting depth by a scan of the raw text (400), and only then
`json.loads` — so no body can make the parser recurse deeply or use much memory. Shared by the
API routes (`web.json_object`) and the signed bank notifications.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import BadInput, PayloadTooLarge
from .security import limits

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def max_body_bytes() -> int:
    return int(limits.section("input")["max_body_bytes"])


def max_depth() -> int:
    return int(limits.section("input")["max_json_depth"])


def check_size(raw: bytes | str | None) -> None:
    if raw is not None and len(raw) > max_body_bytes():
        raise PayloadTooLarge(f"请求内容过大（最多{max_body_bytes() // 1024}KB）")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays/objects in `text` (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_object(raw: bytes | str | None, empty_ok: bool = True) -> dict[str, Any]:
    """The body as a JSON object, or PayloadTooLarge / BadInput."""
    check_size(raw)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("请求格式不正确（需要UTF-8编码的JSON）", code="malformed_json") from None
    if not raw or not raw.strip():
        if empty_ok:
            return {}
        raise BadInput("请求格式不正确（需要JSON）", code="malformed_json")
    if nesting_depth(raw) > max_depth():
        raise BadInput(f"请求格式不正确（嵌套超过{max_depth()}层）", code="json_too_deep")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadInput("请求格式不正确（需要JSON）", code="malformed_json") from None
    if not isinstance(data, dict):
        raise BadInput("请求格式不正确（需要JSON对象）", code="malformed_json")
    return data
