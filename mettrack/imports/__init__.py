"""Importing the partnership's exploitation list (docs/imports.md): a CSV or .xlsx file
checked row by row (rules.py, pure), shown as a dry run, then imported in one transaction
(jobs.py); large files by a worker (workers/tasks/imports.py).

What other features may use of this one is exported here, and only here (the import
contracts in pyproject.toml hold every other feature to it; docs/architecture.md).
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mettrack.imports.jobs import ImportRefused, forget_old_uploads, import_file, jobs_to_enqueue, work_on
    from mettrack.imports.jobs import read as read_upload

# name -> "module" or "module:attribute" that defines it, imported on first use (PEP 562).
_EXPORTS = {
    "ImportRefused": "mettrack.imports.jobs",
    "import_file": "mettrack.imports.jobs",
    "jobs_to_enqueue": "mettrack.imports.jobs",
    "forget_old_uploads": "mettrack.imports.jobs",
    "work_on": "mettrack.imports.jobs",
    "read_upload": "mettrack.imports.jobs:read",
}
__all__ = ["ImportRefused", "forget_old_uploads", "import_file", "jobs_to_enqueue", "read_upload", "work_on"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")
    return getattr(import_module(module), attribute or name)
