"""The layering of .importlinter (app → functions → chalicelib.services → chalicelib.models, the
domain without HTTP, no cycles between services) holds for the code, and the contracts do catch
a project that breaks them (tests/fixtures/layering_violations)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIOLATIONS = Path(__file__).resolve().parent / "fixtures" / "layering_violations"

LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)


def lint(project: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the repository's contracts on `project` (its own process: the
    contracts name top-level packages, which must be found in `project`)."""
    return subprocess.run(
        [sys.executable, "-c", LINT, str(ROOT / ".importlinter")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_code_keeps_every_import_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_contracts_catch_imports_that_break_the_layering():
    result = lint(VIOLATIONS)
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Contracts: 0 kept, 4 broken." in result.stdout
    for broken in (
        "chalicelib.models.card -> chalicelib.services.cards",
        "chalicelib.web -> chalice",
        "functions.cards -> boto3",
        ".cards -> .card_applications",
    ):
        assert broken in " ".join(result.stdout.split()), broken
