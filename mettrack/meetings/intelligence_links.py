"""The joint the intelligence feature (a later issue) fills in: what an agenda item shows
of the persons of concern, places, other children and disruption actions linked to a case,
and which cases have new intelligence since a date (an agenda reason).

Until that feature lands no provider is registered and every case has nothing linked and
no new intelligence. The feature registers one provider at start-up:

    from mettrack.meetings import intelligence_links
    intelligence_links.register(MyProvider())

A provider has two methods, each called once for a whole agenda (never once per case,
so that building an agenda costs a number of queries that does not grow with the cases):

    links_for(case_ids: list[int], view: View) -> dict[int, dict]
        For each case id (a case with nothing linked may be left out): {"linked_children":
        [...], "places": [...], "persons": [...], "disruptions": [...]}, each a list of
        JSON-serialisable dicts (dates as ISO strings), each with at least a "label". The
        view is the case projection's (cases.View): View.SANITISED must leave out anything
        that names or finds a child or a person, and restricted intelligence.

    new_intelligence_since(case_ids: list[int] | None, since: datetime | None) -> dict[int, list[date]]
        The cases (all open cases when case_ids is None) with intelligence recorded after
        `since` (everything when None), with the dates it was recorded, oldest first.
"""

from datetime import date, datetime
from typing import Protocol

LINK_KEYS = ("linked_children", "places", "persons", "disruptions")


class Provider(Protocol):
    def links_for(self, case_ids: list[int], view) -> dict[int, dict]: ...

    def new_intelligence_since(
        self, case_ids: list[int] | None, since: datetime | None
    ) -> dict[int, list[date]]: ...


_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider (the intelligence feature, at start-up). Registering one twice keeps one."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: Provider) -> None:
    """Take a provider away (tests)."""
    if provider in _providers:
        _providers.remove(provider)


def empty_links() -> dict:
    return {key: [] for key in LINK_KEYS}


def links_for(case_ids: list[int], view) -> dict[int, dict]:
    """Every case id with its four lists (empty when no provider links anything)."""
    links = {case_id: empty_links() for case_id in case_ids}
    for provider in _providers:
        for case_id, found in (provider.links_for(list(case_ids), view) or {}).items():
            if case_id in links:
                for key in LINK_KEYS:
                    links[case_id][key].extend(found.get(key) or [])
    return links


def new_intelligence_since(case_ids: list[int] | None, since: datetime | None) -> dict[int, list[date]]:
    """The cases with new intelligence since `since`, with its dates (empty with no provider)."""
    found: dict[int, list[date]] = {}
    for provider in _providers:
        for case_id, dates in (provider.new_intelligence_since(case_ids, since) or {}).items():
            if dates:
                found.setdefault(case_id, []).extend(dates)
    return {case_id: sorted(dates) for case_id, dates in found.items()}
