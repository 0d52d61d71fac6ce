"""The risk indicator catalogue: seeding, and the administrator's changes."""

import pytest
from sqlalchemy import func, select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import IndicatorGroup, Role
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskIndicator
from mettrack.risk.rules import DEFAULT_INDICATORS
from tests import factories


@pytest.fixture
def admin(app_ctx):
    return factories.user(roles=[Role.ADMIN])


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(RiskIndicator))


def _actions() -> list[tuple[str, str | None, str]]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.record_id, AuditEvent.outcome)
        .where(AuditEvent.action.like("risk_indicator%"))
        .order_by(AuditEvent.seq)
    )
    return [tuple(r) for r in rows]


def test_seeding_adds_the_defaults_once_and_keeps_admin_changes(admin):
    assert risk_catalogue.seed_defaults() == len(DEFAULT_INDICATORS)
    db.session.commit()
    first = risk_catalogue.list_active()[0]
    risk_catalogue.update_indicator(admin, first.id, {"label": "Reworded", "group": first.group})
    assert risk_catalogue.seed_defaults() == 0
    assert db.session.get(RiskIndicator, first.id).label == "Reworded"
    assert _count() == len(DEFAULT_INDICATORS)


def test_the_catalogue_is_grouped_in_form_order(admin):
    risk_catalogue.seed_defaults()
    groups = risk_catalogue.grouped(risk_catalogue.list_active())
    assert [g.group for g in groups] == list(IndicatorGroup)
    assert groups[0].indicators[0].code == DEFAULT_INDICATORS[0].code


def test_add_an_indicator_last_in_its_group(admin):
    risk_catalogue.seed_defaults()
    indicator = risk_catalogue.add_indicator(
        admin, {"code": "Online_Gaming", "label": "Contacted through online games", "group": "online"}
    )
    assert indicator.code == "online_gaming" and indicator.active
    online = [i.code for i in risk_catalogue.list_active() if i.group == "online"]
    assert online[-1] == "online_gaming"
    assert ("risk_indicator.added", str(indicator.id), "ok") in _actions()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"label": "A label", "group": "online"}, "code"),
        ({"code": "has space", "label": "A label", "group": "online"}, "code"),
        ({"code": "1starts_with_digit", "label": "A label", "group": "online"}, "code"),
        ({"code": "older_partner", "label": "A label", "group": "online"}, "code"),  # already exists
        ({"code": "x" * 61, "label": "A label", "group": "online"}, "code"),
        ({"code": "new_one", "label": "", "group": "online"}, "label"),
        ({"code": "new_one", "label": "x" * 201, "group": "online"}, "label"),
        ({"code": "new_one", "label": "A label", "group": "elsewhere"}, "group"),
        ({"code": "new_one", "label": "A label"}, "group"),
        ({"code": "new_one", "label": "A label", "group": "online", "sort_order": "first"}, "sort_order"),
        ({"code": "new_one", "label": "A label", "group": "online", "sort_order": "-5"}, "sort_order"),
    ],
)
def test_bad_input_names_the_field_and_adds_nothing(admin, form, field):
    risk_catalogue.seed_defaults()
    db.session.commit()
    with pytest.raises(ValidationError) as e:
        risk_catalogue.add_indicator(admin, form)
    assert field in e.value.errors
    assert _count() == len(DEFAULT_INDICATORS)


def test_change_label_group_and_order_but_never_the_code(admin):
    risk_catalogue.seed_defaults()
    indicator = risk_catalogue.list_active()[0]
    changed = risk_catalogue.update_indicator(
        admin,
        indicator.id,
        {"code": "renamed", "label": "New wording", "group": "behaviour", "sort_order": "1"},
    )
    assert (changed.code, changed.label, changed.group, changed.sort_order) == (
        DEFAULT_INDICATORS[0].code,
        "New wording",
        "behaviour",
        1,
    )
    assert ("risk_indicator.updated", str(indicator.id), "ok") in _actions()


def test_deactivate_and_reactivate(admin):
    risk_catalogue.seed_defaults()
    indicator = risk_catalogue.list_active()[0]
    risk_catalogue.set_active(admin, indicator.id, False)
    assert indicator not in risk_catalogue.list_active()
    assert indicator in risk_catalogue.list_all()
    risk_catalogue.set_active(admin, indicator.id, True)
    assert indicator in risk_catalogue.list_active()
    assert [a for a, _id, _o in _actions()] == ["risk_indicator.deactivated", "risk_indicator.reactivated"]


def test_only_administrators_change_the_catalogue(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    with pytest.raises(risk_catalogue.NotAllowed):
        risk_catalogue.add_indicator(lead, {"code": "new_one", "label": "A label", "group": "online"})
    assert _count() == 0
    assert _actions() == [("risk_indicator.change.denied", None, "denied")]
