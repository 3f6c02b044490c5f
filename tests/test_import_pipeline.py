"""The chunks the importer cuts a file into: whole person/type runs when several are written at
once, room for the summary updates in each transaction, rejected lines booked as they come.
What side-by-side writes leave behind is tested on DynamoDB Local
(tests/integration/test_import_pipeline.py): moto is not thread-safe."""

from __future__ import annotations

from infra.importer.formats import Parsed, RowError
from infra.importer.runner import MAX_CHUNK_LINES, MAX_TRANSACTION_ITEMS, _Chunker, _Line

A, B = "371402198001010119", "371402199206300245"
MONTHS = [f"2024{m:02d}" for m in range(1, 13)]


def parsed_line(number: int, person: str, type_code: str, period: str) -> _Line:
    row = {"id_number": person, "type_code": type_code, "period": period}
    parsed = Parsed(person, (person, type_code, period), None, (type_code, "PAID", period))
    return _Line(number, row, parsed, None)


def cut_all(chunker: _Chunker, lines: list[_Line]) -> list[list[int]]:
    """The line numbers of each chunk the chunker makes of `lines`."""
    chunks = [chunker.add(line) for line in lines] + [chunker.rest()]
    return [[line.number for line in chunk.lines] for chunk in chunks if chunk is not None]


def sorted_lines(persons: list[str], types: tuple[str, ...], months: list[str]) -> list[_Line]:
    """Rows in the core system's export order: by person, type, period."""
    keys = [(p, t, m) for p in persons for t in types for m in months]
    return [parsed_line(n, *key) for n, key in enumerate(keys, start=2)]


def test_side_by_side_chunks_end_where_a_person_type_run_ends():
    lines = sorted_lines([A, B], ("110", "310"), MONTHS)  # four runs of 12 rows
    chunks = cut_all(_Chunker(contributions=True, batch_size=30, align=True), lines)
    assert [len(c) for c in chunks] == [24, 24]  # not 30 + 18: the third run stays whole


def test_one_at_a_time_chunks_fill_up_to_the_batch_size():
    lines = sorted_lines([A, B], ("110", "310"), MONTHS)
    chunks = cut_all(_Chunker(contributions=True, batch_size=30, align=False), lines)
    assert [len(c) for c in chunks] == [30, 18]


def test_a_run_longer_than_a_batch_is_split():
    lines = sorted_lines([A], ("110",), MONTHS * 3)[:30]
    chunks = cut_all(_Chunker(contributions=True, batch_size=12, align=True), lines)
    assert [len(c) for c in chunks] == [12, 12, 6]


def test_a_contributions_chunk_leaves_room_in_its_transaction_for_each_summary_update():
    persons = [f"P{n:03d}" for n in range(40)]
    lines = sorted_lines(persons, ("110", "210", "310", "410", "510"), MONTHS[:3])  # runs of 3
    chunks = cut_all(_Chunker(contributions=True, batch_size=99, align=True), lines)
    for chunk in chunks:
        groups = {(lines[n - 2].row["id_number"], lines[n - 2].row["type_code"]) for n in chunk}
        assert len(chunk) + len(groups) <= MAX_TRANSACTION_ITEMS
    assert len(chunks[0]) == 75  # 25 runs of 3 + 25 summaries = 100


def test_a_long_stretch_of_rejected_lines_is_booked_before_the_file_ends():
    bad = RowError("invalid_period", "x")
    lines = [_Line(n, {}, None, bad) for n in range(2, MAX_CHUNK_LINES * 2 + 3)]
    chunks = cut_all(_Chunker(contributions=True, batch_size=99, align=True), lines)
    assert [len(c) for c in chunks] == [MAX_CHUNK_LINES, MAX_CHUNK_LINES, 1]
