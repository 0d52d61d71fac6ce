"""Use cases. Each public function is one transaction: it checks permissions, applies the
domain rules, writes audit rows, and commits. Pages, API and CLI all call these."""


class ValidationError(Exception):
    """Bad input. `errors` maps each field name to a message a practitioner can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(Exception):
    """The record changed since the user read it (optimistic locking): nothing was saved.
    Pages keep the user's input and say so; the API answers 409."""
