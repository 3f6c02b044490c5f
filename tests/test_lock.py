"""`make lock` (infra/lock.py) keeps what a merge brings: a pin added by hand to a lock moves into
the `.in` file, conflict markers go, the pins pip-compile wrote stay as the versions to keep."""

from __future__ import annotations

import shutil
from pathlib import Path

from infra import lock

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lock"


def merged_copy(tmp_path: Path) -> tuple[Path, Path]:
    in_path, lock_path = tmp_path / "requirements.in", tmp_path / "requirements.txt"
    shutil.copy(FIXTURES / "requirements.in", in_path)
    shutil.copy(FIXTURES / "merged-requirements.txt", lock_path)
    return in_path, lock_path


def test_hand_added_pin_moves_into_the_in_file_once(tmp_path):
    in_path, lock_path = merged_copy(tmp_path)
    assert lock.rescue(in_path, lock_path, log=lambda *_: None) == ["aws-lambda-powertools==3.37.0"]
    assert lock.declared(in_path) == {"boto3", "pillow", "aws-lambda-powertools"}
    assert lock.rescue(in_path, lock_path, log=lambda *_: None) == []  # nothing twice
    assert in_path.read_text(encoding="utf-8").count("aws-lambda-powertools==3.37.0") == 1


def test_conflict_markers_are_dropped_and_hashed_pins_kept(tmp_path):
    in_path, lock_path = merged_copy(tmp_path)
    lock.rescue(in_path, lock_path, log=lambda *_: None)
    text = lock_path.read_text(encoding="utf-8")
    assert not any(line.startswith(("<<<<<<<", "=======", ">>>>>>>")) for line in text.splitlines())
    assert "pillow==13.0.0 \\\n    --hash=sha256:" + "1" * 64 in text


def test_pins_written_by_pip_compile_are_not_taken_for_hand_added_ones():
    text = (FIXTURES / "merged-requirements.txt").read_text(encoding="utf-8")
    assert lock.hand_added_pins(text) == ["boto3==1.43.11", "aws-lambda-powertools==3.37.0"]


def test_names_compare_as_pypi_does():
    assert lock.normalise("Pillow") == lock.normalise("pillow")
    assert lock.normalise("aws_lambda.powertools[tracer]") == "aws-lambda-powertools"


def test_compiling_uses_pypi_alone(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    monkeypatch.setenv("PIP_CONSTRAINT", "/etc/xdg/pip/constraints.txt")
    env = lock.compile_env()
    assert "PIP_FIND_LINKS" not in env and "PIP_CONSTRAINT" not in env
    assert env["PIP_CONFIG_FILE"] == "/dev/null"


def test_the_committed_locks_are_complete_and_hashed():
    """Every pin of both locks carries hashes (pip's --require-hashes refuses anything less), and
    every package the .in files name is in its lock at the version they pin."""
    for in_name, lock_name in lock.LOCKS:
        text = (lock.ROOT / lock_name).read_text(encoding="utf-8")
        assert lock.hand_added_pins(text) == [], f"{lock_name}: pins without hashes (run `make lock`)"
        pinned = {
            lock.normalise(line.split("==")[0]): line.split("==")[1].split()[0]
            for line in text.splitlines()
            if "==" in line and not line.startswith((" ", "#"))
        }
        for line in (lock.ROOT / in_name).read_text(encoding="utf-8").splitlines():
            if "==" in line and not line.startswith(("#", "-")):
                name, version = line.split("#")[0].strip().split("==")
                assert pinned.get(lock.normalise(name)) == version, (
                    f"{name}: {lock_name} is stale (run `make lock`)"
                )
