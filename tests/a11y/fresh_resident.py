"""Create a fresh resident in a running local stack, for browser tests that must not touch the
demo residents other tests use: a copy of one demo resident (profile, contribution history,
summaries, pension account and payments, employment records, card) under a new ID number and
phone, with the account already activated (password_state SET) with the given password.

    python tests/a11y/fresh_resident.py READY_FILE LIKE_NAME ID_NUMBER PHONE PASSWORD [NAME]

READY_FILE is the JSON the local stack writes with --ready-file (its DDB/S3 endpoints). Runs in
its own process: chalicelib's models bind the DynamoDB endpoint when they are imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def create(like_name: str, id_number: str, phone: str, password: str, name: str | None = None) -> None:
    from chalicelib import clock
    from chalicelib.security import passwords
    from chalicelib.services import audit
    from chalicelib.services import records as records_service
    from infra.seed import accounts as seed_accounts
    from infra.seed import cards as seed_cards
    from infra.seed import contributions as seed_contributions
    from infra.seed import records as seed_records
    from infra.seed.residents import by_name

    template = by_name(like_name)
    resident = dict(template, id_number=id_number, phone=phone, name=name or template["name"])
    resident["profile"] = dict(template.get("profile") or {}, social_security_no=id_number)
    resident["profile"].pop("gender", None)  # derived from the new ID number

    account = seed_accounts.build_account(resident, passwords.hash_password(password))
    account.password_state = "SET"
    account.password_changed_at = int(clock.now())
    account.save()
    audit.record(id_number, "account_create", "seeded", None, {"source": "a11y_test"})

    seed_contributions.write_missing(seed_contributions.history_for(resident))
    extra = seed_records._data().get(template["id_number"], {})
    ended = extra.get("ended_types", {})
    for type_code in seed_records._types_of(resident):
        records_service.rebuild_summary(id_number, type_code)
        records_service.set_state(id_number, type_code, ended.get(type_code))
    if "110" in seed_records._types_of(resident):
        seed_records.seed_pension_account(id_number)
    if extra.get("pension"):
        seed_records.seed_pension_payments(id_number, extra["pension"])
    seed_records.seed_employment(id_number, extra)
    for spec in seed_cards.DEMO_CARDS:
        if spec["id_number"] == template["id_number"]:
            seed_cards.ensure_card(dict(spec, id_number=id_number))


def main(argv: list[str]) -> int:
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    ready_file, like_name, id_number, phone, password, *name = argv
    sys.path.insert(0, str(ROOT))
    from infra import stage_env

    ready = json.loads(Path(ready_file).read_text(encoding="utf-8"))
    stage_env.apply("local", {k: v for k, v in ready.items() if k.isupper()})
    create(like_name, id_number, phone, password, name[0] if name else None)
    print(f"created {id_number} like {like_name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
