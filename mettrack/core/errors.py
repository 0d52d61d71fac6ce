"""The one way a use case refuses: each error names its HTTP status, and one handler turns
it into an error page (mettrack/ui/errors.py) and one into an RFC 9457 problem
(mettrack/api/problems.py). The command line prints the same words (mettrack/cli.py).

    NotFound         404  not there, or outside the user's need-to-know (never revealed)
    NotAllowed       403  the user's roles do not allow the action (nothing about the record)
    Conflict         409  the record changed since the user read it; nothing was saved
    ValidationError  422  bad input; `errors` names each field with what to do about it
"""


class AppError(Exception):
    """A refusal a user can act on. Subclasses set `status`.

    What the API's problem says comes from the error itself, so that a refusal with more to
    say (the findings of the language check, likely duplicates) needs no handler of its
    own: `detail` (None: the usual words for the status), `errors` (each bad field) and
    `problem_members()` (RFC 9457 extension members)."""

    status = 500
    detail: str | None = None
    errors: dict[str, str] = {}

    def problem_members(self) -> dict:
        return {}


class NotFound(AppError):
    """A record that does not exist or lies outside the user's need-to-know."""

    status = 404

    def __init__(self, record_type: str, record_id):
        super().__init__(f"{record_type} {record_id} not found")
        self.record_type = record_type
        self.record_id = record_id


ROLE_REFUSED = "Your role does not allow this action."


class NotAllowed(AppError):
    """The user's roles do not allow this action. `reasons` say why, in words a
    practitioner reads; they reveal nothing about any record."""

    status = 403

    def __init__(self, action: str = "", reasons: tuple[str, ...] = ()):
        reasons = tuple(reasons) or (ROLE_REFUSED,)
        super().__init__("; ".join(reasons))
        self.action = str(action)
        self.reasons = reasons
        self.detail = " ".join(reasons)


class Conflict(AppError):
    """The record changed since the user read it (optimistic locking): nothing was saved.
    Pages keep the user's input and say so; the API answers 409."""

    status = 409


class ValidationError(AppError):
    """Bad input. `errors` maps each field name to a message a practitioner can act on."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
