"""Pure rules about cases that are not the workflow table (cases/workflow.py).

A case is shown as "Case #13"; people type its number as "13", "#13", "case 13" or
"Case #13" (in the case list's search, the audit log's case field). One reading of all of
them, here.
"""

import re

_CASE_NUMBER = re.compile(r"^(?:case\s*)?(?:no\.?\s*|number\s*)?#?\s*(\d{1,9})$", re.IGNORECASE)


def case_number_in(text: str | None) -> int | None:
    """The case number `text` names ("13", "#13", "case 13", "Case #13", "case no. 13"), or
    None when it is not one."""
    match = _CASE_NUMBER.match(" ".join((text or "").split()))
    if match is None:
        return None
    number = int(match.group(1))
    return number if number >= 1 else None
