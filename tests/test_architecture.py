"""The layout's rules (docs/architecture.md) hold, and breaking one fails the check."""

import shutil
import subprocess
import sys
from pathlib import Path

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


def test_a_core_module_importing_a_feature_breaks_the_contracts(tmp_path):
    for name in ("mettrack", "workers"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clock = tmp_path / "mettrack" / "core" / "clock.py"
    clock.write_text(clock.read_text() + "\nfrom mettrack.cases.models import Case  # noqa: E402,F401\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1
    assert "mettrack.core.clock -> mettrack.cases.models" in result.stdout
