"""The layout's rules (docs/architecture.md) hold, and breaking one fails the check."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "breach", "reported"),
    [
        # the core imports a feature
        (
            "core/clock.py",
            "from mettrack.cases.models import Case",
            "mettrack.core.clock -> mettrack.cases.models",
        ),
        # a rules module reaches the database
        (
            "missing/rules.py",
            "from mettrack.core.extensions import db",
            "mettrack.missing.rules -> mettrack.core.extensions",
        ),
        # a use case imports its feature's pages (layers)
        (
            "reference/lists.py",
            "from mettrack.reference import list_pages",
            "mettrack.reference.lists -> mettrack.reference.list_pages",
        ),
        # a model imports a use case (layers)
        (
            "risk/models.py",
            "from mettrack.risk import catalogue",
            "mettrack.risk.models -> mettrack.risk.catalogue",
        ),
        # a feature reaches into another's internals instead of its __init__
        (
            "notes/case_notes.py",
            "from mettrack.cases.queries import get_for",
            "mettrack.notes.case_notes -> mettrack.cases.queries",
        ),
    ],
    ids=["core", "rules", "layers: use case over pages", "layers: model over use case", "public"],
)
def test_each_kind_of_breach_breaks_the_contracts(tmp_path, module, breach, reported):
    for name in ("mettrack", "workers"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "mettrack" / module
    path.write_text(path.read_text() + f"\n{breach}  # noqa: E402,F401\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1
    assert reported in result.stdout
