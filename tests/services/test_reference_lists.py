"""The admin lists' shared use cases (reference/lists.py), through each list:
a change commits once with its audit row; a refused role or bad input saves nothing."""

import pytest
from sqlalchemy import event, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import ReferenceKind, Role
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.language.models import LanguagePhrase
from mettrack.reference import data as reference_data
from mettrack.reference.models import ReferenceItem
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskIndicator
from tests import factories

# (add a row, its model, a good form, the same form with the required field blank)
LISTS = {
    "reference item": (
        lambda user, data: reference_data.add_item(user, ReferenceKind.EXIT_REASON, data),
        ReferenceItem,
        {"code": "moved_away", "label": "Moved out of the area"},
        "code",
    ),
    "risk indicator": (
        risk_catalogue.add_indicator,
        RiskIndicator,
        {"code": "new_sign", "label": "A new sign", "group": "online"},
        "label",
    ),
    "language phrase": (
        language_phrases.add_phrase,
        LanguagePhrase,
        {"phrase": "made up phrase", "suggestion": "better words"},
        "phrase",
    ),
}


@pytest.fixture
def commits(app_ctx):
    counted = []

    def count(session):
        counted.append(session)

    event.listen(db.session(), "after_commit", count)
    yield counted
    event.remove(db.session(), "after_commit", count)


def _rows(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(select(model)))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


@pytest.mark.parametrize("name", LISTS)
def test_adding_commits_once_with_its_audit_row(commits, name):
    add, model, form, _required = LISTS[name]
    admin = factories.user(roles=[Role.ADMIN])
    commits.clear()
    row = add(admin, form)
    assert len(commits) == 1
    assert [r.id for r in _rows(model)] == [row.id]
    assert _actions()[-1].endswith(".added")


@pytest.mark.parametrize("name", LISTS)
def test_bad_input_saves_nothing_and_names_the_field(commits, name):
    add, model, form, required = LISTS[name]
    admin = factories.user(roles=[Role.ADMIN])
    commits.clear()
    with pytest.raises(ValidationError) as refused:
        add(admin, {**form, required: ""})
    assert required in refused.value.errors
    assert commits == []
    assert _rows(model) == []


@pytest.mark.parametrize("name", LISTS)
def test_a_role_without_reference_admin_is_refused_with_403_and_audited(app_ctx, name):
    add, model, form, _required = LISTS[name]
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(NotAllowed) as refused:
        add(lead, form)
    assert refused.value.status == 403
    assert _rows(model) == []
    assert _actions()[-1].endswith(".change.denied")
