"""RFC 9457 problem details for every API error."""

from flask import jsonify
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_TYPE = "about:blank"


def problem_response(status: int, detail: str | None = None, errors: dict | None = None):
    body = {"type": PROBLEM_TYPE, "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="METtrack API"'
    return response
