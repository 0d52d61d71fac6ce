"""Error pages in the service's own style that reveal nothing internal. The API blueprint
answers with problem details instead (mettrack/api/problems.py).

A use case's refusal (mettrack/core/errors.py) names its status; a page that can say
more (a form shown again with its errors) catches it first, and any other reaches the
one handler here."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from mettrack.core.errors import AppError
from mettrack.core.extensions import db

TITLES = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This action is not allowed here",
    409: "Someone else changed this record",
    413: "What you sent is too large",
    422: "There is a problem with the information entered",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, detail: str | None = None):
    if _wants_problem():
        from mettrack.api.problems import problem_response

        return problem_response(status, detail)
    title = TITLES.get(status, TITLES[500])
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def too_large_detail() -> str:
    """What a 413 says: the limit of the address the body was sent to (docs/security.md)."""
    limit = request.max_content_length or 0
    size = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"
    return f"This address accepts at most {size}. Nothing was saved."


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        return render_error(error.code or 500, too_large_detail() if error.code == 413 else None)

    @app.errorhandler(AppError)
    def refused(error: AppError):
        db.session.rollback()
        if _wants_problem():
            from mettrack.api.problems import app_problem

            return app_problem(error)
        return render_error(error.status)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.endpoint)
        return render_error(500)
