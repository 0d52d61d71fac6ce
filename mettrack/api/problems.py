"""RFC 9457 problem details for every API error.

Every error the API answers has the same shape, so a partner's script needs one error
path: `type`, `title`, `status`, `detail`, and `errors`, an object naming each bad field
(empty when no one field is at fault). Never HTML, never a stack trace.

Errors raised inside an API view are turned into problems by the handlers that
`register_handlers` puts on every API blueprint (mettrack/api/blueprint.py): one for the
core refusals (mettrack/core/errors.py: each names its status, and may add its own
`detail`, `errors` and extension members), one for werkzeug's HTTP errors, one for a
stale write. Errors raised before any view is found (an unknown path, a method the path
does not take) reach the app's handlers in mettrack/ui/errors.py, which answer /api/
paths with the same problems.
"""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from mettrack.core.errors import AppError, NotFound, ValidationError
from mettrack.core.extensions import db

PROBLEM_TYPE = "about:blank"
MEDIA_TYPE = "application/problem+json"

# What a script's author should do about each kind of error.
DETAILS = {
    400: "The request could not be understood.",
    401: "Send a valid personal API token as 'Authorization: Bearer <token>'. "
    "Tokens are issued and revoked on your account page.",
    403: "Your role does not allow this action.",
    404: "There is nothing at this address that you may see.",
    405: "This address does not take this method.",
    409: "The record was changed by someone else. Fetch it again, then retry.",
    413: "The request body is larger than this address accepts.",
    422: "Some fields are not valid: see `errors`.",
    429: "Too many requests. Wait a little, then retry.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is unavailable. Retry later.",
}


class ProblemSchema(Schema):
    """An RFC 9457 problem details object (documentation only: errors are built by
    problem_response)."""

    type = fields.String(
        required=True, metadata={"description": "A URI naming the kind of problem; `about:blank`."}
    )
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each bad field's name and what is wrong with it; empty if none."},
    )


def problem_response(
    status: int, detail: str | None = None, errors: dict | None = None, headers=None, members=None
):
    """`members`: extension members a kind of problem adds (RFC 9457, section 3.2)."""
    body = {
        "type": PROBLEM_TYPE,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status, HTTP_STATUS_CODES.get(status, "Error")),
        "errors": errors or {},
        **(members or {}),
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="METtrack API"'
    if status == 405 and isinstance(request.routing_exception, MethodNotAllowed):
        # RFC 9110: a 405 names the methods the address does take.
        allowed = request.routing_exception.valid_methods or []
        response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def field_errors(messages) -> dict[str, str]:
    """webargs/marshmallow messages -> {field: message}.

    webargs nests messages under the request location ({"query": {"page": ["Not a valid
    integer."]}}); a script cares about the field, so the location is dropped and nested
    fields are joined with dots ("team.0.id")."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            flat[prefix or "request"] = " ".join(value)
        elif isinstance(value, list | tuple):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            flat[prefix or "request"] = str(value)

    if isinstance(messages, dict):
        for location, inner in messages.items():
            if isinstance(inner, dict):
                walk("", inner)  # a location: drop it
            else:
                walk(str(location), inner)
    else:
        walk("", messages)
    return flat


def _http_problem(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}  # set by webargs/flask-smorest abort()
    messages = data.get("errors") or data.get("messages")
    errors = field_errors(messages) if messages else {}
    detail = data.get("message")
    if status == 413 and not detail and request.max_content_length:
        detail = f"The request body is larger than this address accepts ({request.max_content_length} bytes)."
    if errors and not detail:
        detail = f"Some fields are not valid: {', '.join(sorted(errors))}."
    return problem_response(status, detail, errors, headers=data.get("headers"))


def app_problem(error: AppError):
    """A core refusal as a problem: its status, the words it carries or the usual ones."""
    db.session.rollback()
    if isinstance(error, NotFound):
        return _not_found_problem(error)
    detail, errors = error.detail, dict(error.errors)
    if detail is None and isinstance(error, ValidationError):
        detail = f"Some fields are not valid: {', '.join(sorted(errors))}."
    return problem_response(error.status, detail, errors, members=error.problem_members())


def _not_found_problem(error: NotFound):
    # The same answer whether the record does not exist or is outside the user's
    # need-to-know, so that its existence is not revealed.
    detail = f"There is no {error.record_type.replace('_', ' ')} {error.record_id} that you may see."
    errors = {}
    field = f"{error.record_type}_id"
    if str((request.view_args or {}).get(field)) == str(error.record_id):
        errors[field] = detail
    return problem_response(404, detail, errors)


def _conflict_problem(error: StaleDataError):
    # Optimistic locking (Case.version): the write was based on a stale read.
    db.session.rollback()
    return problem_response(409)


def _server_problem(error: Exception):
    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
    return problem_response(500)


def register_handlers(blueprint) -> None:
    """Answer every error raised inside this blueprint's views with a problem."""
    blueprint.register_error_handler(HTTPException, _http_problem)
    blueprint.register_error_handler(AppError, app_problem)
    blueprint.register_error_handler(StaleDataError, _conflict_problem)
    blueprint.register_error_handler(Exception, _server_problem)
