"""The importer's contribution writes (conditional puts and their summaries in one transaction,
repeated keys refused, record precedence) and its light row items (the same DynamoDB items as
the models would give)."""

from __future__ import annotations

import csv
import shutil

import pytest

from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from chalicelib.services import record_conflicts
from infra.importer import Importer, WriteFailed, runner
from infra.importer.formats import FORMATS, RowError, RowItem

from .conftest import FIXTURES

A, B = "371402198001010119", "371402199206300245"
# tests/fixtures/import_order/contributions.csv repeats keys: lines 5, 8 and 10 with other values
# (refused), line 11 exactly as line 9 (skipped). The first row of each key stands.
EXPECTED = {
    (A, "110"): ({"202402", "202403"}, {"202401"}),
    (A, "310"): ({"202403"}, set()),
    (B, "110"): ({"202401"}, {"202402"}),
}
EXPECTED_REJECTS = [[5, "duplicate_key"], [8, "duplicate_key"], [10, "duplicate_key"]]


@pytest.fixture
def order_files(tmp_path):
    for path in (FIXTURES / "import_order").glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def run(folder, kind="contributions", **options):
    options.setdefault("progress", False)
    return Importer(kind, folder / f"{kind}.csv", **options).run()


def rejects(folder, kind="contributions"):
    with (folder / f"{kind}.rejects.csv").open(encoding="utf-8", newline="") as handle:
        return [[int(r[0]), r[1]] for r in list(csv.reader(handle))[1:]]


def summaries() -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    return {
        (s.id_number, s.type_code): (set(s.paid or ()), set(s.owed or ())) for s in ContributionSummary.scan()
    }


def write_csv(folder, name, rows):
    header = FORMATS["contributions"].header
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for row in rows:
            out.writerow([row.get(c, "") for c in header])
    return folder / name


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
def test_a_key_repeated_with_other_values_is_rejected_and_the_first_row_stands(
    tables, order_files, batch_size
):
    run(order_files, "persons")
    counts = run(order_files, batch_size=batch_size)
    assert rejects(order_files) == EXPECTED_REJECTS
    assert counts.rejected == 3 and counts.repeated == 1 and counts.written == 6
    assert summaries() == EXPECTED
    assert Contribution.get(f"{A}#110", "202401").status == "OWED"
    assert Contribution.get(f"{A}#110", "202403").status == "PAID"
    assert Contribution.get(f"{B}#110", "202402").status == "OWED"


def test_rows_and_their_summaries_go_in_transactions_split_where_a_type_changes_status(tables, order_files):
    run(order_files, "persons")
    client = CountingClient()
    run(order_files, client=client, batch_size=2)
    assert client.calls.get("update_item", 0) == 0 and client.calls.get("batch_write_item", 0) == 0
    # batches (2,3) (4,6) (7,9): the first holds A#110 owed and paid, so it takes two transactions
    assert client.calls["transact_write_items"] == 4
    assert summaries() == EXPECTED


def test_a_resumed_import_still_refuses_keys_repeated_across_the_interruption(
    tables, order_files, monkeypatch
):
    run(order_files, "persons")
    original = runner.ContributionWriter.write
    calls = {"n": 0}

    def second_fails(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WriteFailed("simulated outage")
        return original(self, batch)

    monkeypatch.setattr(runner.ContributionWriter, "write", second_fails)
    with pytest.raises(WriteFailed):
        run(order_files, batch_size=2)
    assert (order_files / "contributions.checkpoint.json").exists()
    monkeypatch.setattr(runner.ContributionWriter, "write", original)
    counts = run(order_files, batch_size=2)
    assert counts.resumed_after_line == 3
    assert rejects(order_files) == EXPECTED_REJECTS
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

                raise ClientError(
                    {
                        "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                        "CancellationReasons": [{"Code": "TransactionConflict"}],
                    },
                    "TransactWriteItems",
                )
            return real.transact_write_items(**kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    sleeps = []
    counts = run(order_files, client=Conflicting(), sleep=sleeps.append)
    assert counts.retries == 1 and len(sleeps) == 1
    assert summaries() == EXPECTED


PAID_ROW = {
    "id_number": B,
    "type_code": "110",
    "period": "202402",
    "employer": "灵活就业人员",
    "base_fen": "450000",
    "employer_fen": "0",
    "personal_fen": "90000",
    "account_fen": "36000",
    "status": "PAID",
    "posted_on": "2024-03-01",
}


def test_an_owed_row_for_a_paid_month_is_refused_listed_and_the_rest_of_its_batch_written(tables, tmp_path):
    shutil.copy(FIXTURES / "import_order" / "persons.csv", tmp_path / "persons.csv")
    run(tmp_path, "persons")
    Importer("contributions", write_csv(tmp_path, "paid.csv", [PAID_ROW]), progress=False).run()
    stale = dict(PAID_ROW, status="OWED", posted_on="")
    other = dict(PAID_ROW, period="202403", status="OWED", posted_on="")
    path = write_csv(tmp_path, "stale.csv", [stale, other])
    counts = Importer("contributions", path, progress=False).run()
    assert counts.written == 1 and counts.reasons == {"conflicts_with_paid": 1}
    assert rejects(tmp_path, "stale") == [[2, "conflicts_with_paid"]]
    kept = Contribution.get(f"{B}#110", "202402")
    assert kept.status == "PAID" and kept.posted_on == "2024-03-01"
    assert summaries()[(B, "110")] == ({"202402"}, {"202403"})
    listed = record_conflicts.open_conflicts()
    assert [(c["period"], c["row"]["status"], c["existing"]["status"]) for c in listed] == [
        ("202402", "OWED", "PAID")
    ]
    assert listed[0]["origin"] == "import:stale.csv:2" and "3714" in listed[0]["id_masked"]
    Importer("contributions", path, progress=False).run()  # the same file again: listed once
    assert len(record_conflicts.open_conflicts()) == 1


def test_a_paid_row_without_posted_on_is_a_missing_value(tables, tmp_path):
    shutil.copy(FIXTURES / "import_order" / "persons.csv", tmp_path / "persons.csv")
    run(tmp_path, "persons")
    path = write_csv(
        tmp_path,
        "no-date.csv",
        [dict(PAID_ROW, posted_on=""), dict(PAID_ROW, period="202405", posted_on="2024-13-01")],
    )
    counts = Importer("contributions", path, progress=False).run()
    assert rejects(tmp_path, "no-date") == [[2, "missing_value"], [3, "invalid_date"]]
    assert counts.written == 0


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
    assert RowItem(
        Contribution,
        person_type="x#110",
        period="202401",
        employer="e",
        base_fen=1,
        employer_fen=0,
        personal_fen=0,
        status="PAID",
    ).serialize()["account_fen"] == {"N": "0"}
