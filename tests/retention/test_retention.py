"""The review list, legal holds, confirmed deletion and the subject access export,
through the use cases and the pages: what is deleted, what is refused and why, what is
left out of an export, and the audit rows (which hold no personal data)."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence.models import PeerLink
from mettrack.notes import add_note
from mettrack.notes.models import CaseNote
from mettrack.retention import review, subject_access
from mettrack.retention.models import LegalHold, RetentionReview
from tests import factories
from tests.conftest import post_form

LATER = datetime(2060, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    yield {
        "admin": factories.user(roles=[Role.ADMIN]),
        "chair": factories.user(roles=[Role.MET_CHAIR]),
        "lead": factories.user(roles=[Role.LEAD_PROFESSIONAL]),
    }
    set_now(None)


def _closed_case(people, **child_fields) -> Case:
    kid = factories.child(date_of_birth=date(2011, 4, 5), first_name="Jordan", **child_fields)
    case = factories.case(lead=people["lead"], state=CaseState.CLOSED, child_obj=kid)
    add_note(people["lead"], case.id, "A closing summary was agreed with the family.")
    db.session.commit()
    return case


def _audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def _detail(row: AuditEvent) -> dict:
    return json.loads(row.detail or "{}")


def test_the_scan_lists_closed_cases_past_their_review_date_with_no_personal_data(people):
    case = _closed_case(people)
    factories.case(lead=people["lead"])  # open: never listed
    assert review.scan() == 0
    set_now(LATER)
    assert review.scan() == 1
    row = db.session.scalar(select(RetentionReview))
    assert (row.record_type, row.record_id, row.review_on, row.rule) == (
        "case",
        case.id,
        date(2036, 4, 5),
        "age",
    )
    assert _detail(_audit("retention.listed")[-1]) == {"count": 1, "administrators_told": 1}


def test_a_case_on_legal_hold_is_not_offered_for_deletion(people):
    case = _closed_case(people)
    review.set_hold(people["chair"], case.id, "Held for the serious case review")
    set_now(LATER)
    review.scan()
    listed, _ = review.review_list(people["admin"])
    assert [d.held for d in listed] == [True]
    with pytest.raises(review.DeletionRefused) as refused:
        review.delete_case(people["admin"], case.id, "yes")
    assert "legal hold" in refused.value.errors["case"]
    held = _audit("legal_hold.set")[-1]
    assert (held.record_type, str(held.record_id)) == ("case", str(case.id))
    assert "serious" not in (held.detail or "")
    review.clear_hold(people["admin"], case.id)
    assert db.session.get(LegalHold, case.id) is None
    assert _audit("legal_hold.cleared")


def test_a_hold_needs_a_reason_and_the_right_role(people):
    case = _closed_case(people)
    with pytest.raises(ValidationError) as e:
        review.set_hold(people["admin"], case.id, "  ")
    assert "reason" in e.value.errors
    with pytest.raises(NotAllowed):
        review.set_hold(people["lead"], case.id, "A reason")


def test_deletion_removes_the_case_its_records_and_the_child_and_audits_no_personal_data(people):
    case = _closed_case(people)
    other = _closed_case(people)
    db.session.add(
        PeerLink(
            case_id=min(case.id, other.id),
            other_case_id=max(case.id, other.id),
            kind="friend",
            reliability="confirmed",
            created_by_id=people["chair"].id,
        )
    )
    db.session.commit()
    case_id, child_id = case.id, case.child_id
    set_now(LATER)
    with pytest.raises(ValidationError) as e:
        review.delete_case(people["admin"], case_id, None)
    assert "confirm" in e.value.errors
    counts = review.delete_case(people["admin"], case_id, "yes").rows
    db.session.expire_all()
    assert db.session.get(Case, case_id) is None
    assert db.session.get(Child, child_id) is None
    assert db.session.get(Case, other.id) is not None
    assert counts["case_notes"] == 1 and counts["peer_links"] == 1
    assert counts["cases"] == 1 and counts["children"] == 1
    assert {"screenings", "case_events", "case_team_members"} <= set(counts)
    assert (
        db.session.scalar(select(func.count()).select_from(CaseNote).where(CaseNote.case_id == case_id)) == 0
    )
    row = _audit("retention.deleted")[-1]
    assert row.record_type == "case"
    assert _detail(row)["rule"] == "age" and _detail(row)["child_id"] == child_id
    assert "Jordan" not in row.detail


def test_an_open_case_or_one_not_yet_due_is_refused(people):
    case = _closed_case(people)
    with pytest.raises(review.DeletionRefused) as refused:
        review.delete_case(people["admin"], case.id, "yes")
    assert "not due" in refused.value.errors["case"]
    open_case = factories.case(lead=people["lead"])
    set_now(LATER)
    with pytest.raises(review.DeletionRefused) as refused:
        review.delete_case(people["admin"], open_case.id, "yes")
    assert "open" in refused.value.errors["case"]


def test_only_an_administrator_deletes(people):
    case = _closed_case(people)
    set_now(LATER)
    with pytest.raises(NotAllowed):
        review.delete_case(people["chair"], case.id, "yes")
    assert db.session.get(Case, case.id) is not None


def test_the_subject_access_export_leaves_out_third_parties_and_is_audited(people):
    case = _closed_case(people)
    other = _closed_case(people, last_name="Otherchild")
    db.session.add(
        PeerLink(
            case_id=min(case.id, other.id),
            other_case_id=max(case.id, other.id),
            kind="friend",
            reliability="confirmed",
            created_by_id=people["lead"].id,
        )
    )
    db.session.commit()
    data = subject_access.export(people["chair"], case.child_id, "json")
    text = json.dumps(data, default=str)
    assert data["child"]["first_name"] == "Jordan"
    assert data["records"]["case_notes"][0]["body"].startswith("A closing summary")
    assert "Otherchild" not in text and "other_case_id" not in text
    assert [link["kind"] for link in data["records"]["peer_links"]] == ["friend"]
    assert people["lead"].name not in text and "author_id" not in text
    row = _audit("subject_access.exported")[-1]
    assert _detail(row)["format"] == "json" and "Jordan" not in row.detail
    with pytest.raises(NotAllowed):
        subject_access.export(people["admin"], case.child_id, "json")


def test_the_pages_two_step_deletion_and_pdf_export(people, client, auth):
    case = _closed_case(people)
    set_now(LATER)
    review.scan()
    db.session.commit()
    auth.login(people["admin"].email)
    page = client.get("/admin/retention")
    assert page.status_code == 200 and f"Case {case.id}" in page.text and "Jordan" not in page.text
    confirm = client.get(f"/admin/retention/cases/{case.id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    unticked = post_form(
        client,
        f"/admin/retention/cases/{case.id}/delete",
        {},
        page=f"/admin/retention/cases/{case.id}/delete",
    )
    assert unticked.status_code == 400
    done = post_form(
        client,
        f"/admin/retention/cases/{case.id}/delete",
        {"confirm": "yes"},
        page=f"/admin/retention/cases/{case.id}/delete",
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id) is None


def test_the_pdf_export(people, client, auth):
    case = _closed_case(people)
    auth.login(people["chair"].email)
    pdf = client.get(f"/children/{case.child_id}/subject-access.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    assert client.get(f"/children/{case.child_id}/subject-access.csv").status_code == 422


def test_the_weekly_task_is_scheduled_and_takes_no_arguments(app):
    from workers.schedule import beat_schedule

    entry = beat_schedule(app.config)["list-retention-reviews"]
    assert entry["task"] == "mettrack.list_retention_reviews"
    assert entry["schedule"].days == 7
    assert "args" not in entry


def test_the_case_page_links_the_hold_and_the_export_for_the_chair_only(people, client, auth):
    case = _closed_case(people)
    auth.login(people["chair"].email)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert f"/cases/{case.id}/legal-hold" in page.text
    assert f"/children/{case.child_id}/subject-access.pdf" in page.text
    auth.logout()
    auth.login(people["lead"].email)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and "subject-access" not in page.text


def test_a_hold_on_a_case_that_does_not_exist_is_404_on_the_page(people, client, auth):
    auth.login(people["admin"].email)
    assert client.get("/cases/999999/legal-hold").status_code == 404
    assert client.get("/admin/retention/cases/999999/delete").status_code == 404


def test_the_childs_record_stays_while_another_case_is_theirs(people):
    case = _closed_case(people)
    later = factories.case(lead=people["lead"], child_obj=db.session.get(Child, case.child_id))
    set_now(LATER)
    counts = review.delete_case(people["admin"], case.id, "yes").rows
    db.session.expire_all()
    assert "children" not in counts
    assert db.session.get(Child, later.child_id) is not None
    assert db.session.get(Case, later.id) is not None
    assert _detail(_audit("retention.deleted")[-1])["child_id"] is None


def test_the_task_body_makes_the_list(people):
    from workers.tasks.retention import list_retention_reviews

    _closed_case(people)
    set_now(LATER)
    assert list_retention_reviews() == 1
    assert db.session.scalar(select(func.count()).select_from(RetentionReview)) == 1
