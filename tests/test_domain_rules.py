"""Pure domain rules: citizen ID numbers, money, masking, password policy."""

from __future__ import annotations

import pytest

from chalicelib import id_number as ids
from chalicelib import masking, money
from chalicelib.errors import BadInput
from chalicelib.security import passwords


@pytest.mark.parametrize(
    "number", ["371402198503142314", "37142519620708352X", "371481199004225625", "371403195501011110"]
)
def test_demo_id_numbers_are_valid(number):
    assert ids.is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "371402198503142315",
        "37142519620708352",
        "3714021985031423140",
        "371402198502302318",
        "37140219850314231x".upper()[:-1] + "Y",
        "",
        None,
        12,
    ],
)
def test_invalid_id_numbers_are_refused(number):
    assert not ids.is_valid(number)


def test_lower_case_x_is_normalised():
    assert ids.normalise("37142519620708352x") == "37142519620708352X"


def test_check_character_maps_remainders():
    assert ids.check_char("37142519620708352") == "X"
    assert ids.check_char("37140219850314231") == "4"


def test_impossible_birth_date_is_refused_even_with_right_check_digit():
    first17 = "37140219850230231"  # 30 February
    assert not ids.is_valid(first17 + ids.check_char(first17))


def test_mask_keeps_region_and_last_four():
    assert ids.mask("371402198503142314") == "3714**********2314"
    assert masking.phone("13800001111") == "138****1111"
    assert masking.email("zhangwei@example.com") == "z***@example.com"


@pytest.mark.parametrize(
    "amount, rate, expected",
    [(500000, 800, 40000), (333333, 800, 26667), (100, 50, 1), (99, 50, 0), (0, 1600, 0)],
)
def test_apply_rate_rounds_half_up_to_the_fen(amount, rate, expected):
    assert money.apply_rate(amount, rate) == expected


def test_apply_rate_refuses_negative():
    with pytest.raises(ValueError):
        money.apply_rate(-1, 800)


def test_yuan_format():
    assert money.yuan(123456) == "¥1,234.56"
    assert money.yuan(5) == "¥0.05"


@pytest.mark.parametrize(
    "password, reason",
    [
        ("888888", "888888"),
        ("short1a", "长度"),
        ("a" * 65 + "1", "长度"),
        ("abcdefghij", "字母和数字"),
        ("1234567890", "字母和数字"),
        ("password1", "常见"),
        ("A123456789", "常见"),
        ("zw19850314x", "身份证"),
        ("abc142314x", "身份证"),
        ("abc850314z", "身份证"),
    ],
)
def test_password_policy_refuses(password, reason):
    with pytest.raises(BadInput) as caught:
        passwords.check_policy(password, "371402198503142314")
    assert reason in caught.value.message


def test_password_policy_accepts_a_reasonable_password():
    assert passwords.check_policy("Shebao2026go", "371402198503142314") == "Shebao2026go"
    assert passwords.check_policy("x" * 60 + "1234", "371402198503142314")


def test_common_password_list_is_large_enough():
    assert len(passwords._common()) >= 1000


def test_hash_is_argon2id_with_required_cost():
    hashed = passwords.hash_password("Shebao2026go")
    assert hashed.startswith("$argon2id$")
    params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2
    assert passwords.verify_password(hashed, "Shebao2026go")
    assert not passwords.verify_password(hashed, "Shebao2026gO")
