"""`make test` runs the pytest tiers in lanes side by side (infra/tiers.py): every tier runs,
each one's output is printed whole, and one failing tier fails the run."""

from __future__ import annotations

import sys

from infra import tiers as runner
from infra.tiers import Tier


def fake_tier(name: str, closing_line: str, exit_code: int) -> Tier:
    script = f"import sys; print('progress of {name}'); print({closing_line!r}); sys.exit({exit_code})"
    return Tier(name, [sys.executable, "-c", script])


def test_every_tier_of_every_lane_runs_and_keeps_its_own_output(capsys):
    lanes = [
        [fake_tier("a", "3 passed in 1.0s", 0), fake_tier("b", "2 passed in 1.0s", 0)],
        [fake_tier("c", "1 failed, 4 passed in 1.0s", 1)],
    ]
    results = {r.tier: r for r in runner.run_lanes(lanes)}
    assert {name: r.returncode for name, r in results.items()} == {"a": 0, "b": 0, "c": 1}
    assert results["c"].closing_line == "1 failed, 4 passed in 1.0s"
    out = capsys.readouterr().out
    for name in "abc":  # a tier's output sits between its own start and end lines
        block = out.split(f"==> {name}: exit")[1].split(f"<== {name}")[0]
        assert f"progress of {name}" in block


def test_one_failing_tier_fails_the_run(monkeypatch, capsys):
    fakes = {
        "good": fake_tier("good", "5 passed in 1.0s", 0),
        "bad": fake_tier("bad", "no tests ran in 0.1s", 5),
    }
    monkeypatch.setattr(runner, "tiers", lambda workers: fakes)
    assert runner.main(["--lane", "good", "--lane", "bad"]) == 1
    out = capsys.readouterr().out
    assert "tests: 5 passed, 0 failed" in out and "failed: bad" in out
    assert runner.main(["--lane", "good"]) == 0


def test_a_tier_that_cannot_start_fails_without_stopping_the_others(capsys):
    lanes = [[Tier("missing", ["/nonexistent/python"])], [fake_tier("ok", "1 passed in 1.0s", 0)]]
    results = {r.tier: r.returncode for r in runner.run_lanes(lanes)}
    assert results == {"missing": 127, "ok": 0}


def test_closing_line_counts():
    assert runner.count("2 failed, 580 passed, 1 error in 93.20s", ("failed", "error", "errors")) == 3
    assert runner.count("580 passed, 3 warnings in 93.20s (0:01:33)", ("passed",)) == 580
