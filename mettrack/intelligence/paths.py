"""Where each intelligence record's page is, for the views that link to it.

Views build links here (templates call nothing), so that the page that shows a person, a
place, an item or a disruption action is named once. A page that is not registered (an
app built without it) gives None, and the view shows the record without a link.
"""

from flask import url_for
from werkzeug.routing import BuildError

ENDPOINTS = {
    "item": ("intelligence.item", "item_id"),
    "location": ("intelligence_subjects.location", "location_id"),
    "person": ("intelligence_subjects.person", "person_id"),
    "disruption": ("intelligence_disruptions.show", "action_id"),
    "case": ("cases.detail", "case_id"),
}


def link_to(kind: str, record_id: int) -> str | None:
    """The page of an item, a location, a person, a disruption action or a case."""
    endpoint, argument = ENDPOINTS[kind]
    try:
        return url_for(endpoint, **{argument: record_id})
    except BuildError:
        return None
