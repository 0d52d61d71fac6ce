"""Reference data and the language list for administrators (pages only)."""

from mettrack.core.choices import ReferenceKind, Role
from mettrack.core.extensions import db
from mettrack.language.models import LanguagePhrase
from mettrack.reference.models import ReferenceItem
from tests.access import Route

ADMIN_ONLY = frozenset({Role.ADMIN})


def build_records() -> dict:
    """For tests/access/world.py: one reference item and one phrase to change. Neither is
    one the other tables use (no default code; a phrase no test note contains)."""
    item = ReferenceItem(
        kind=ReferenceKind.EXIT_REASON.value,
        code="access_matrix_reason",
        label="Access matrix",
        sort_order=99,
    )
    phrase = LanguagePhrase(phrase="access matrix wording", suggestion="better wording", why="a test entry")
    db.session.add_all([item, phrase])
    db.session.commit()
    return {"reference_item": item.id, "language_phrase": phrase.id}


A = dict(allowed=ADMIN_ONLY)
REF = "/admin/reference"
PHRASES = "/admin/phrases"

ROUTES = [
    Route("GET", "reference_admin.index", REF, **A),
    Route("GET", "reference_admin.new", REF + "/exit_reason/new", **A),
    Route(
        "POST",
        "reference_admin.new",
        REF + "/exit_reason/new",
        ok=302,
        data={"code": "access_matrix_new", "label": "Added by the matrix"},
        **A,
    ),
    Route("GET", "reference_admin.edit", REF + "/items/{reference_item}/edit", **A),
    Route(
        "POST",
        "reference_admin.edit",
        REF + "/items/{reference_item}/edit",
        ok=302,
        data={"label": "Access matrix, changed", "sort_order": "5"},
        **A,
    ),
    Route("POST", "reference_admin.deactivate", REF + "/items/{reference_item}/deactivate", ok=302, **A),
    Route("POST", "reference_admin.reactivate", REF + "/items/{reference_item}/reactivate", ok=302, **A),
    Route("POST", "reference_admin.defaults", REF + "/defaults", ok=302, **A),
    Route("GET", "phrases_admin.index", PHRASES, **A),
    Route("GET", "phrases_admin.new", PHRASES + "/new", **A),
    Route(
        "POST",
        "phrases_admin.new",
        PHRASES + "/new",
        ok=302,
        data={"phrase": "access matrix new wording", "suggestion": "better"},
        **A,
    ),
    Route("GET", "phrases_admin.edit", PHRASES + "/{language_phrase}/edit", **A),
    Route(
        "POST",
        "phrases_admin.edit",
        PHRASES + "/{language_phrase}/edit",
        ok=302,
        data={"phrase": "access matrix wording", "suggestion": "changed wording"},
        **A,
    ),
    Route("POST", "phrases_admin.deactivate", PHRASES + "/{language_phrase}/deactivate", ok=302, **A),
    Route("POST", "phrases_admin.reactivate", PHRASES + "/{language_phrase}/reactivate", ok=302, **A),
    Route("POST", "phrases_admin.defaults", PHRASES + "/defaults", ok=302, **A),
]
