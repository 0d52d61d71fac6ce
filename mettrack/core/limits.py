"""Limits that the database sets, each read from where it is defined, so that a form
check, an API schema and the column cannot disagree."""

# PostgreSQL's integer. Ids in a URL are capped by the route converter (DatabaseId in
# mettrack/__init__.py); ids and versions arriving in a JSON body, a query string or on
# the command line are checked against this, so a larger number is refused, not a 500.
DATABASE_INT_MAX = 2**31 - 1


def max_length(column) -> int:
    """The most characters a String(n) column holds: `max_length(Case.mash_reference)`."""
    length = column.property.columns[0].type.length
    if length is None:
        raise TypeError(f"{column} has no length: give its limit where the rule is written")
    return length


# A disruption action's details (intelligence/disruptions.py): a paragraph or two, not a file.
MAX_DISRUPTION_DETAILS = 5000
# Intelligence (Community Partnership Information): the Text columns have no length of
# their own, so their limits are written here; String columns use max_length().
INTEL_INFORMATION_MAX = 10_000  # what the sharer tells, as submitted
INTEL_SOURCE_TEXT_MAX = 2_000  # the source's address, how they found out
INTEL_CONDITIONS_MAX = 2_000  # a C item's handling conditions
INTEL_SANITISED_MAX = 5_000  # the sanitised text for partnership forums
INTEL_MAX_LINKED_CASES = 20  # children a sharer may link on one submission
# The note on a link between records (intelligence: peer links, case links): String(500).
LINK_NOTE_MAX = 500
