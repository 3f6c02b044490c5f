"""The importer's summary updates (gathered per person/type, sent as transactions, in file order,
resumable) and its light row items (the same DynamoDB items as the models would give)."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from infra.importer import Importer, WriteFailed, runner
from infra.importer.formats import FORMATS, RowError, RowItem

from .conftest import FIXTURES

A, B = "371402198001010119", "371402199206300245"
# tests/fixtures/import_order/contributions.csv: later rows for the same month change its status
EXPECTED = {(A, "110"): ({"202401", "202402"}, {"202403"}), (A, "310"): ({"202403"}, set()),
            (B, "110"): ({"202401"}, {"202402"})}


@pytest.fixture
def order_files(tmp_path):
    for path in (FIXTURES / "import_order").glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def run(folder, kind="contributions", **options):
    options.setdefault("progress", False)
    return Importer(kind, folder / f"{kind}.csv", **options).run()


def summaries() -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    return {(s.id_number, s.type_code): (set(s.paid or ()), set(s.owed or ())) for s in ContributionSummary.scan()}


class CountingClient:
    """The real client, counting the calls by operation."""

    def __init__(self):
        self.real = runner.ddb_client()
        self.calls: dict[str, int] = {}

    def __getattr__(self, name):
        method = getattr(self.real, name)

        def counted(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return method(*args, **kwargs)
        return counted


@pytest.mark.parametrize("batch_size", [1, 2, 3, 25])
def test_a_later_row_for_the_same_month_decides_its_summary_status(tables, order_files, batch_size):
    run(order_files, "persons")
    counts = run(order_files, batch_size=batch_size)
    assert counts.rejected == 0 and counts.written == 10
    assert summaries() == EXPECTED
    assert Contribution.get(f"{A}#110", "202401").status == "BACKPAID"
    assert Contribution.get(f"{B}#110", "202402").status == "OWED"


def test_summary_updates_of_a_file_go_in_transactions_not_one_update_per_group_and_batch(tables, order_files):
    run(order_files, "persons")
    client = CountingClient()
    run(order_files, client=client, batch_size=2)
    assert client.calls.get("update_item", 0) == 0
    # 9 updates; a summary item appears once per transaction and A#110 and B#110 get 4 each
    # (each change of status class of a month is one more update of the item)
    assert client.calls["transact_write_items"] == 4
    assert summaries() == EXPECTED


def test_a_failed_summary_transaction_is_resumed_from_the_checkpoint(tables, order_files, monkeypatch):
    run(order_files, "persons")
    monkeypatch.setattr(runner, "MAX_TRANSACTION_UPDATES", 2)  # send during the run, not only at the end
    original = runner.SummaryWriter._transact
    calls = {"n": 0}

    def second_fails(self, updates):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WriteFailed("simulated outage")
        return original(self, updates)

    monkeypatch.setattr(runner.SummaryWriter, "_transact", second_fails)
    with pytest.raises(WriteFailed):
        run(order_files, batch_size=2)
    checkpoint = order_files / "contributions.checkpoint.json"
    assert checkpoint.exists()
    saved = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert saved["summaries"], "the updates not sent yet are in the checkpoint"
    assert summaries() != EXPECTED

    monkeypatch.setattr(runner.SummaryWriter, "_transact", original)
    counts = run(order_files, batch_size=2)
    assert counts.resumed_after_line > 0
    assert not checkpoint.exists()
    assert summaries() == EXPECTED


def test_a_failure_after_the_last_batch_leaves_the_summaries_to_the_rerun(tables, order_files, monkeypatch):
    run(order_files, "persons")
    monkeypatch.setattr(runner.SummaryWriter, "_transact",
                        lambda self, updates: (_ for _ in ()).throw(WriteFailed("simulated outage")))
    with pytest.raises(WriteFailed):
        run(order_files)
    assert Contribution.count() == 6 and summaries() == {}
    monkeypatch.undo()
    counts = run(order_files)
    assert counts.resumed_after_line == 11  # every row was handled; only the summaries were left
    assert summaries() == EXPECTED


def test_cancelled_transactions_are_retried_with_backoff(tables, order_files):
    run(order_files, "persons")
    real = runner.ddb_client()

    class Conflicting:
        """The first transaction is cancelled (as by a concurrent write), the rest go through."""

        def __init__(self):
            self.cancelled = 0

        def transact_write_items(self, **kwargs):
            if not self.cancelled:
                self.cancelled += 1
                from botocore.exceptions import ClientError
                raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
                                  "TransactWriteItems")
            return real.transact_write_items(**kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    sleeps = []
    counts = run(order_files, client=Conflicting(), sleep=sleeps.append)
    assert counts.retries == 1 and len(sleeps) == 1
    assert summaries() == EXPECTED


@pytest.mark.parametrize("kind", [k for k, f in FORMATS.items() if f.batch_writable])
def test_row_items_serialize_exactly_as_the_models_would(kind):
    with (FIXTURES / "import" / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    compared = 0
    for row in rows:
        try:
            parsed = FORMATS[kind].parse(row)
        except (RowError, KeyError, TypeError, AttributeError):
            continue  # a planted bad row
        assert isinstance(parsed.item, RowItem)
        assert parsed.item.serialize() == parsed.item.model(**parsed.item.values).serialize()
        compared += 1
    assert compared >= 2


def test_row_items_refuse_unknown_attributes_and_missing_required_ones():
    with pytest.raises(TypeError):
        RowItem(Contribution, person_type="x#110", period="202401", colour="blue")
    with pytest.raises(ValueError):
        RowItem(Contribution, person_type="x#110", period="202401").serialize()  # no employer etc.
    assert RowItem(Contribution, person_type="x#110", period="202401", employer="e", base_fen=1,
                   employer_fen=0, personal_fen=0, status="PAID").serialize()["account_fen"] == {"N": "0"}
