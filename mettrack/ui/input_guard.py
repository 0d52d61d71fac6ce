"""Refuse request input that no field can hold, before any view reads it.

A NUL byte cannot be stored in a PostgreSQL text column, and other C0 control characters
(except tab and line breaks) have no place in anything a person types. Rather than each
form and endpoint remembering this, one before_request check refuses such input with a
message naming the field: a 400 page for the web, a 422 problem for the API. Nothing is
changed. Only the field's name is reported, never its value.

Text with half of a UTF-16 surrogate pair is refused the same way, and so is a JSON body
nested more than MAX_JSON_DEPTH deep, before it is parsed (mettrack/core/request_limits.py).
For the API this runs after the caller's token is checked (mettrack/api/auth.py), so an
anonymous caller's body is never parsed.
"""

import re

from flask import Flask, render_template, request

from mettrack.core.request_limits import MAX_JSON_DEPTH, too_deep

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = "contains a control character that cannot be saved; remove it and try again"
# Half of a UTF-16 pair, which JSON can spell ("\ud800") but no database text can hold.
SURROGATES = re.compile(r"[\ud800-\udfff]")
SURROGATE_MESSAGE = "contains a character that is not valid text (a lone surrogate); remove it and try again"
TOO_DEEP_MESSAGE = f"nests arrays and objects more than {MAX_JSON_DEPTH} deep"


def _problem(text: str) -> str | None:
    if CONTROL_CHARACTERS.search(text):
        return MESSAGE
    if SURROGATES.search(text):
        return SURROGATE_MESSAGE
    return None


def _bad_field(values, prefix: str = "") -> tuple[str, str] | None:
    """The name of the first field whose name or text cannot be saved, and why."""
    if isinstance(values, dict):
        items = values.items()
    elif isinstance(values, list):
        items = ((str(i), v) for i, v in enumerate(values))
    else:
        problem = _problem(values) if isinstance(values, str) else None
        return (prefix or "request", problem) if problem else None
    for key, value in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        problem = _problem(str(key))
        if problem:
            return "request", problem
        found = _bad_field(value, name)
        if found:
            return found
    return None


def _multi(values) -> dict:
    return {key: values.getlist(key) if len(values.getlist(key)) > 1 else values.get(key) for key in values}


def bad_field() -> tuple[str, str] | None:
    for source in (request.args, request.form):
        found = _bad_field(_multi(source))
        if found:
            return found
    if request.is_json:
        if too_deep(request.get_data(cache=True)):
            return "request", TOO_DEEP_MESSAGE
        body = request.get_json(silent=True)
        if body is not None:
            return _bad_field(body)
    return None


def refuse_control_characters():
    found = bad_field()
    if found is None:
        return None
    field, message = found
    detail = f"The request {message}." if field == "request" else f"The field '{field}' {message}."
    if request.path.startswith("/api/"):
        from mettrack.api.problems import problem_response

        return problem_response(422, detail=detail, errors={field: message})
    title = "There is a problem with what you entered"
    return render_template("errors/error.html", status=400, title=title, detail=detail), 400


def init_input_guard(app: Flask) -> None:
    app.before_request(refuse_control_characters)
