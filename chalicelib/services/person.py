"""Personal basic information (个人社保基本信息), masked for the screen."""
from __future__ import annotations

from .. import id_number as ids, masking
from . import accounts
from .sessions import CurrentSession


def basic_info(current: CurrentSession) -> dict:
    account = accounts.get(current.id_number)
    profile = account.profile or {}
    born = ids.birth_date(account.id_number)
    return {
        "name": account.name,
        "id_number_masked": ids.mask(account.id_number),
        "phone_masked": masking.phone(account.phone),
        "email": masking.email(account.email),
        "gender": profile.get("gender") or ids.gender(account.id_number),
        "birth_date": born.isoformat(),
        "profile": profile,
        "password_protection_set": bool(account.protection),
        "session": current.timing(),
    }
