"""Use cases. Each public function is one transaction: it checks permissions, applies the
domain rules, writes audit rows, and commits. Pages, API and CLI all call these."""


class ValidationError(Exception):
    """Bad input. `errors` maps each field name to a message a practitioner can act on."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
