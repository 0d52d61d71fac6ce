"""Reading a case to change it: within the user's need-to-know, and locked until the
transaction ends, so that two saves at once are taken one after the other."""

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.extensions import db
from mettrack.core.permissions import deny_record


def locked_case(case_id: int, scope, action: str) -> Case:
    """The case, if `scope` (permissions.case_scope(user), case_summary_scope or
    move_scope) reaches it, locked FOR UPDATE and read afresh; otherwise the transaction
    is rolled back and a NotFound, audited as `action`.denied, is raised."""
    case = db.session.scalar(
        select(Case)
        .where(Case.id == case_id, scope)
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    if case is None:
        raise deny_record("case", case_id, action)
    return case
