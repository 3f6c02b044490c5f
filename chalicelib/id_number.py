"""Citizen ID numbers (GB 11643-1999): validation and masking."""

from __future__ import annotations

from datetime import date

from .errors import BadInput

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def is_valid(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 18:
        return False
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return False
    try:
        born = birth_date(value)
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    return check_char(value[:17]) == value[17]


def normalise(value: object, field: str = "id_number") -> str:
    """Return the canonical form (upper-case X) or raise BadInput with a resident-readable message."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput("请输入18位身份证号码", code="invalid_id_number", field=field)
    candidate = value.strip().upper()
    if not is_valid(candidate):
        raise BadInput(
            "身份证号码不正确，请核对后重新输入（18位，最后一位可能是X）",
            code="invalid_id_number",
            field=field,
        )
    return candidate


def mask(id_number: str) -> str:
    """3714**********2314: region prefix and last four only."""
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def gender(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 else "女"
