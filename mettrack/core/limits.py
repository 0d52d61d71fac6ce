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

# The note on a link between records (intelligence: peer links, case links): String(500).
LINK_NOTE_MAX = 500
