"""Attack tests in CI (issue 15): bandit finds no high-severity issue in the app and the
workers (docs/security.md, "Attack tests"), and the same command does report one."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANDIT = Path(sys.executable).with_name("bandit")
COMMAND = ["-r", "-lll", "-q"]  # recursive, high severity only


def _bandit(cwd: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BANDIT), *COMMAND, *targets], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_no_high_severity_finding_in_the_app_or_the_workers():
    result = _bandit(ROOT, "mettrack", "workers")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_high_severity_finding_fails_the_check(tmp_path):
    (tmp_path / "bad.py").write_text("import subprocess\n\nsubprocess.call(input(), shell=True)\n")
    result = _bandit(tmp_path, ".")
    assert result.returncode == 1
    assert "B602" in result.stdout
