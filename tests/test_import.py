"""Ops import of the core system's export files: validation with exact rejects, batches with
retries of unprocessed items, idempotent re-import, resume after an interruption."""

from __future__ import annotations

import csv
import shutil

import pytest

from chalicelib.models.accounts import Account
from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.models.employment_notices import EmploymentNotice
from chalicelib.models.labour_contracts import LabourContract
from chalicelib.models.pension_accounts import PensionAccountYear
from chalicelib.models.pension_payments import PensionPayment
from infra.importer import Importer, ImportFileError, WriteFailed, runner

from .conftest import FIXTURES, load_fixture

IMPORT = FIXTURES / "import"
A = "371402198001010119"
B = "371402199206300245"
C = "371402197503150352"
ORDER = [
    "persons",
    "contributions",
    "pension-account",
    "pension-payments",
    "labour-contracts",
    "employment-notices",
]
TABLES = [
    Account,
    Contribution,
    ContributionSummary,
    PensionAccountYear,
    PensionPayment,
    LabourContract,
    EmploymentNotice,
]


@pytest.fixture
def files(tmp_path):
    """Copies of the fixture files (rejects and checkpoints are written next to them)."""
    for path in IMPORT.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def run(kind, folder, **options):
    options.setdefault("progress", False)
    return Importer(kind, folder / f"{kind}.csv", **options).run()


def rejects_of(folder, kind):
    with (folder / f"{kind}.rejects.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["line", "reason_code", "reason"]
    return [[int(r[0]), r[1]] for r in rows[1:]]


def snapshot():
    return {
        model.Meta.table_name: sorted(str(sorted(item.serialize().items())) for item in model.scan())
        for model in TABLES
    }


def test_every_kind_writes_good_rows_and_rejects_each_planted_bad_row_with_its_reason(tables, files):
    expected = load_fixture("import/expected_rejects.json")
    for kind in ORDER:
        counts = run(kind, files)
        assert rejects_of(files, kind) == expected[kind], kind
        assert counts.rejected == len(expected[kind])
        assert counts.written == counts.rows - counts.rejected
        assert not (files / f"{kind}.checkpoint.json").exists()
    assert Contribution.count() == 31
    assert {a.id_number for a in Account.scan()} == {A, B, C}
    assert Account.get(A).password_state == "INITIAL"
    assert Account.get(A).profile["original_retirement_age"] == 60
    assert Account.get(B).profile["original_retirement_age"] == 55
    assert "original_retirement_age" not in Account.get(C).profile
    summary_a = ContributionSummary.get(A, "110")
    assert len(summary_a.paid) == 12 and not summary_a.owed
    summary_b = ContributionSummary.get(B, "110")
    assert summary_b.paid == {f"2025{m:02d}" for m in range(3, 9)} and summary_b.owed == {"202509"}
    assert PensionAccountYear.get(A, "2023").opening_fen == 1500000
    payment = PensionPayment.get(C, "202503")
    assert payment.gross_fen == 244800 and payment.bank_account_masked == "**** **** 4567"
    assert [c.contract_type for c in LabourContract.query(A)] == ["FIXED", "OPEN"]
    assert [n.kind for n in EmploymentNotice.query(B)] == ["UNEMPLOYED", "FLEXIBLE"]


def test_contributions_go_in_one_transaction_batch_of_up_to_99_rows_unless_asked_for_fewer(tables, files):
    run("persons", files)
    counts = run("contributions", files)
    assert counts.written == 31
    assert counts.batches == 1
    counts = run("contributions", files, batch_size=25, workers=1)
    assert counts.written == 31
    assert counts.batches == 2  # 25 + 6


def test_reimporting_the_same_files_changes_nothing(tables, files):
    for kind in ORDER:
        run(kind, files)
    before = snapshot()
    for kind in ORDER:
        run(kind, files)
    assert snapshot() == before
    assert Contribution.count() == 31


def test_reimport_of_persons_keeps_an_activated_password(tables, files):
    run("persons", files)
    Account(id_number=A).update(
        actions=[Account.password_state.set("SET"), Account.password_hash.set("$argon2id$resident-chosen")]
    )
    run("persons", files)
    account = Account.get(A)
    assert account.password_state == "SET"
    assert account.password_hash == "$argon2id$resident-chosen"


def test_interrupted_import_resumes_after_the_checkpoint_and_ends_as_one_run(tables, files, monkeypatch):
    run("persons", files)
    original = runner.ContributionWriter.write
    calls = {"n": 0}

    def failing_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WriteFailed("simulated outage")
        return original(self, batch)

    monkeypatch.setattr(runner.ContributionWriter, "write", failing_second_batch)
    with pytest.raises(WriteFailed):
        run("contributions", files, batch_size=10)
    checkpoint = files / "contributions.checkpoint.json"
    assert checkpoint.exists()
    assert Contribution.count() == 10
    monkeypatch.setattr(runner.ContributionWriter, "write", original)

    counts = run("contributions", files, batch_size=10)
    assert counts.resumed_after_line > 0
    assert not checkpoint.exists()
    assert Contribution.count() == 31
    assert rejects_of(files, "contributions") == load_fixture("import/expected_rejects.json")["contributions"]
    assert counts.written == 31 and counts.rejected == 9


def test_unprocessed_items_are_retried_with_growing_backoff(tables, files):
    run("persons", files)
    real = runner.ddb_client()

    class Throttled:
        """Leaves the second half of the items of the first two calls unprocessed (not written)."""

        def __init__(self):
            self.calls = 0

        def batch_write_item(self, RequestItems):
            self.calls += 1
            ((table, requests),) = RequestItems.items()
            if self.calls <= 2 and len(requests) > 1:
                half = len(requests) // 2
                real.batch_write_item(RequestItems={table: requests[:half]})
                return {"UnprocessedItems": {table: requests[half:]}}
            return real.batch_write_item(RequestItems=RequestItems)

        def __getattr__(self, name):
            return getattr(real, name)

    sleeps = []
    client = Throttled()
    counts = run("pension-account", files, client=client, sleep=sleeps.append)
    assert PensionAccountYear.count() == 3
    assert counts.retries == 2
    assert len(sleeps) == 2 and sleeps[0] <= runner.BASE_DELAY_S <= sleeps[1]


def test_batch_still_unprocessed_after_all_attempts_fails_and_a_rerun_completes(tables, files):
    run("persons", files)
    real = runner.ddb_client()

    class Refusing:
        def batch_write_item(self, RequestItems):
            return {"UnprocessedItems": RequestItems}

        def __getattr__(self, name):
            return getattr(real, name)

    with pytest.raises(WriteFailed):
        run("pension-account", files, client=Refusing(), sleep=lambda s: None)
    assert PensionAccountYear.count() == 0
    counts = run("pension-account", files)
    assert PensionAccountYear.count() == 3 and counts.rejected == 3


def test_a_file_with_the_wrong_header_is_rejected_as_a_whole(tables, files):
    shutil.copy(files / "bad-header.csv", files / "contributions.csv")
    with pytest.raises(ImportFileError):
        run("contributions", files)
    assert Contribution.count() == 0


def test_cli_reports_counts_and_exits_1_when_rows_were_rejected(tables, files, capsys):
    from infra.cli import build_parser
    from infra.commands import import_records

    args = build_parser().parse_args(["import", "persons", str(files / "persons.csv"), "--no-progress"])
    assert args.func is import_records._import and args.workers is None  # the importer's default
    assert import_records._import(args) == 1
    out = capsys.readouterr().out
    assert "7 rows read" in out and "3 written" in out and "4 rejected" in out
    args.file = str(files / "bad-header.csv")
    assert import_records._import(args) == 2


def test_resident_pension_payments_import_with_their_scheme_and_show_as_resident_pension(tables, files):
    from chalicelib.services import pension_payments
    from chalicelib.services.sessions import CurrentSession

    run("persons", files)
    counts = Importer("pension-payments", files / "resident-pension-payments.csv", progress=False).run()
    assert counts.written == 3 and counts.reasons == {"invalid_code": 1}
    assert [PensionPayment.get(C, p).scheme for p in ("202501", "202502", "202503")] == [
        "resident",
        "resident",
        "employee",
    ]  # an empty scheme is the employee pension
    answer = pension_payments.history(CurrentSession(C, "h", 0, 0), "202501", "202502", None)
    assert {r["benefit_name"] for r in answer["items"]} == {"城乡居民基本养老金"}


def test_a_header_with_an_unknown_extra_column_is_rejected_and_says_what_is_optional(tables, files):
    (files / "odd.csv").write_text(
        "id_number,period,items,gross_fen,bank_name,bank_account,pay_date,colour\n", encoding="utf-8"
    )
    with pytest.raises(ImportFileError, match="optional: scheme"):
        Importer("pension-payments", files / "odd.csv", progress=False).run()
