"""The default rows a new database is seeded with (reference/defaults.py)."""

from mettrack.core.choices import ReferenceKind
from mettrack.reference import defaults


def _keys(rows, key):
    return [key(row) for row in rows]


def test_every_default_row_has_a_natural_key_of_its_own():
    for rows, key in (
        (defaults.reference_item_rows(), defaults.reference_item_key),
        (defaults.risk_indicator_rows(), defaults.risk_indicator_key),
        (defaults.language_phrase_rows(), defaults.language_phrase_key),
    ):
        keys = _keys(rows, key)
        assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_every_default_police_team_belongs_to_a_default_tier():
    rows = defaults.reference_item_rows()
    tiers = {r["code"] for r in rows if r["kind"] == ReferenceKind.POLICE_TIER.value}
    teams = [r for r in rows if r["kind"] == ReferenceKind.POLICE_TEAM.value]
    assert teams and all(team["parent_code"] in tiers for team in teams)


def test_missing_rows_skips_existing_keys_and_repeats():
    rows = [{"phrase": "Streetwise"}, {"phrase": "putting themselves  at risk"}, {"phrase": "STREETWISE"}]
    missing = defaults.missing_rows(rows, defaults.language_phrase_key, {"putting themselves at risk"})
    assert missing == [{"phrase": "Streetwise"}]
