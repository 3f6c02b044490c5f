"""The importer writing several batches at once (`workers`) on DynamoDB Local, which applies
requests concurrently as DynamoDB does (moto is not thread-safe): a batch failing while later ones
are written, and the same rejects, counts and checkpoint as one batch at a time."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from chalicelib.models.contribution_summaries import ContributionSummary
from chalicelib.models.contributions import Contribution
from infra.importer import Importer, WriteFailed, runner
from infra.importer.formats import Parsed

from ..test_import import IMPORT, rejects_of
from ..test_import_summaries import write_csv

A, B, C = "371402198001010119", "371402199206300245", "371402197503150352"
MONTHS = [f"2024{m:02d}" for m in range(1, 13)]


def history_file(folder):
    """3 persons × 2 types × 12 months, sorted, with a bad line after each person's first run."""
    rows = []
    for person in (A, B, C):
        for type_code in ("110", "310"):
            for period in MONTHS:
                rows.append(
                    {
                        "id_number": person,
                        "type_code": type_code,
                        "period": period,
                        "employer": "德州市测试机械有限公司",
                        "base_fen": 500000,
                        "employer_fen": 80000,
                        "personal_fen": 40000,
                        "account_fen": 40000 if type_code == "110" else 0,
                        "status": "PAID",
                        "posted_on": f"{period[:4]}-{period[4:]}-15",
                    }
                )
            if type_code == "110":
                rows.append({**rows[-1], "period": "202413"})
    return write_csv(folder, "contributions.csv", rows)


@pytest.fixture
def known_persons(tables, tmp_path):
    shutil.copy(IMPORT / "persons.csv", tmp_path / "persons.csv")
    Importer("persons", tmp_path / "persons.csv", progress=False).run()
    return tmp_path


def test_a_batch_failing_while_later_ones_are_written_leaves_the_checkpoint_before_it(
    known_persons, monkeypatch
):
    path = history_file(known_persons)
    original = runner.ContributionWriter.write
    third_written = threading.Event()

    def second_waits_for_the_third_then_fails(self, batch: list[Parsed]):
        group = (batch[0].id_number, batch[0].summary[0])
        if group == (A, "310"):
            assert third_written.wait(10)
            raise WriteFailed("simulated outage")
        refused = original(self, batch)
        if group == (B, "110"):
            third_written.set()
        return refused

    monkeypatch.setattr(runner.ContributionWriter, "write", second_waits_for_the_third_then_fails)
    with pytest.raises(WriteFailed):
        Importer("contributions", path, progress=False, batch_size=12, workers=4).run()
    checkpoint = json.loads(path.with_suffix(".checkpoint.json").read_text(encoding="utf-8"))
    # the first chunk: the first run (lines 2–13) and the bad line 14 after it
    assert checkpoint["line"] == 14
    assert (checkpoint["counts"]["rows"], checkpoint["counts"]["written"]) == (13, 12)
    assert rejects_of(known_persons, "contributions") == [[14, "invalid_period"]]
    assert Contribution.count() >= 24  # the third chunk was written all the same

    monkeypatch.setattr(runner.ContributionWriter, "write", original)
    counts = Importer("contributions", path, progress=False, batch_size=12, workers=4).run()
    assert (counts.rows, counts.written, counts.rejected) == (75, 72, 3)
    assert rejects_of(known_persons, "contributions") == [
        [14, "invalid_period"],
        [39, "invalid_period"],
        [64, "invalid_period"],
    ]
    assert Contribution.count() == 72
    assert {(s.id_number, s.type_code): len(s.paid) for s in ContributionSummary.scan()} == {
        (p, t): 12 for p in (A, B, C) for t in ("110", "310")
    }


def test_side_by_side_writes_book_the_same_rejects_and_counts_as_one_at_a_time(tables, tmp_path):
    results = []
    for workers in (1, 4):
        folder = tmp_path / f"workers-{workers}"
        shutil.copytree(IMPORT, folder)
        for kind in ("persons", "contributions"):
            counts = Importer(
                kind, folder / f"{kind}.csv", progress=False, batch_size=3, workers=workers
            ).run()
        rejects = (folder / "contributions.rejects.csv").read_text(encoding="utf-8")
        results.append((rejects, counts.rows, counts.written, counts.rejected, counts.reasons))
    assert results[0] == results[1]
    assert results[0][3] > 0  # the fixture has rejected rows to keep in order
