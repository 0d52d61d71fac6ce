"""Use cases. Each public function that changes something is one unit of work
(mettrack/core/unit_of_work.py): it checks permissions, applies the domain rules, writes
audit rows, and commits once. Pages, API and CLI all call these."""

from mettrack.core.errors import Conflict, ValidationError

__all__ = ["Conflict", "ValidationError"]
