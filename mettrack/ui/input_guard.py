"""Refuse request input that no field can hold, before any view reads it.

A NUL byte cannot be stored in a PostgreSQL text column, and other C0 control characters
(except tab and line breaks) have no place in anything a person types. Rather than each
form and endpoint remembering this, one before_request check refuses such input with a
message naming the field: a 400 page for the web, a 422 problem for the API. Nothing is
changed. Only the field's name is reported, never its value.
"""

import re

from flask import Flask, render_template, request

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = "contains a control character that cannot be saved; remove it and try again"


def _bad_field(values, prefix: str = "") -> str | None:
    """The name of the first field whose name or text holds a control character."""
    if isinstance(values, dict):
        items = values.items()
    elif isinstance(values, list):
        items = ((str(i), v) for i, v in enumerate(values))
    else:
        return prefix or "request" if isinstance(values, str) and CONTROL_CHARACTERS.search(values) else None
    for key, value in items:
        name = f"{prefix}.{key}" if prefix else str(key)
        if CONTROL_CHARACTERS.search(str(key)):
            return "request"
        found = _bad_field(value, name)
        if found:
            return found
    return None


def _multi(values) -> dict:
    return {key: values.getlist(key) if len(values.getlist(key)) > 1 else values.get(key) for key in values}


def bad_field() -> str | None:
    for source in (request.args, request.form):
        found = _bad_field(_multi(source))
        if found:
            return found
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            return _bad_field(body)
    return None


def refuse_control_characters():
    field = bad_field()
    if field is None:
        return None
    if request.path.startswith("/api/"):
        from mettrack.api.problems import problem_response

        return problem_response(422, detail=f"The field '{field}' {MESSAGE}.", errors={field: MESSAGE})
    title = "There is a problem with what you entered"
    detail = f"The field '{field}' {MESSAGE}."
    return render_template("errors/error.html", status=400, title=title, detail=detail), 400


def init_input_guard(app: Flask) -> None:
    app.before_request(refuse_control_characters)
