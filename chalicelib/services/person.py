"""Personal basic information (个人社保基本信息), masked for the screen."""

from __future__ import annotations

from .. import id_number as ids
from .. import masking
from . import accounts
from .sessions import CurrentSession

# Profile fields shown to the resident; anything else the core system exports stays server-side.
PROFILE_FIELDS = (
    "gender",
    "ethnicity",
    "hukou_type",
    "hukou",
    "address",
    "education",
    "employer",
    "person_status",
    "insured_status",
    "work_start",
    "insured_since",
    "retirement_date",
    "retirement_type",
    "insured_types",
    "insured_region",
)


def basic_info(current: CurrentSession) -> dict:
    account = accounts.get(current.id_number)
    stored = account.profile or {}
    profile = {key: stored[key] for key in PROFILE_FIELDS if key in stored}
    if stored.get("social_security_no"):
        # The social-security number is the citizen ID number: masked like it.
        profile["social_security_no_masked"] = ids.mask(stored["social_security_no"])
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
