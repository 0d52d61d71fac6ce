"""How much of a request the app will read (docs/security.md, Request limits).

A request body larger than MAX_CONTENT_LENGTH (1 MB unless set) is refused with 413
before any of it is read: werkzeug compares the Content-Length with the limit when the
body is first asked for (the CSRF check, a form, the JSON), and stops a body sent in
chunks at the limit. Only a view declared with @accepts_body_up_to takes more, up to its
own setting, so one upload route does not raise the limit for every other, the sign-in
page included.

JSON is nested at most MAX_JSON_DEPTH deep: Python's parser recurses once per level, and
a body of 100,000 brackets would end in RecursionError. too_deep() measures the depth
without parsing, so the refusal comes before the parser ever sees it.
"""

import re
from collections.abc import Callable

from flask import Request, current_app

MAX_JSON_DEPTH = 64
# Room for a multipart form's other fields and boundaries around an upload.
FORM_ROOM = 64 * 1024

# A string, or an unterminated one to the end: always a match, so never a slow failed
# search (that text is no JSON, and the parser refuses it afterwards).
_STRINGS = re.compile(rb'"(?:[^"\\]+|\\.)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")


def accepts_body_up_to(setting: str, extra: int = 0) -> Callable:
    """Let this view (or MethodView handler) take a body up to app.config[setting] + extra
    bytes instead of MAX_CONTENT_LENGTH. Put it below @route and @requires."""

    def decorator(view):
        view.body_limit = (setting, extra)
        return view

    return decorator


def _declared_limit(view, method: str):
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
    return getattr(view, "body_limit", None)


class LimitedRequest(Request):
    """Flask's request, whose body limit is the matched view's own when it declares one.

    Decided here rather than in a before_request hook, because the CSRF check reads the
    form in an earlier hook than any registered after it."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app and self.url_rule is not None:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            declared = _declared_limit(view, self.method) if view is not None else None
            if declared is not None:
                setting, extra = declared
                return int(current_app.config[setting]) + extra
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether this JSON text nests arrays and objects more than `limit` deep (brackets
    inside strings do not count). Linear, with no recursion, on text of any shape."""
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", body))
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def init_request_limits(app) -> None:
    app.request_class = LimitedRequest
