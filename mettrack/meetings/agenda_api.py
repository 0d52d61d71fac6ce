"""/api/v1/meetings/{meeting_id}/agenda: a meeting's issued agenda versions (the full copy
for members, the sanitised copy), and issuing a new version (a MET chair). Each view calls
one use case (meetings/issue.py); every read is audited with the meeting as its reason."""

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from marshmallow import RAISE, Schema, fields
from marshmallow.validate import Length, OneOf, Range

from mettrack.api.blueprint import ApiBlueprint
from mettrack.api.schemas import UTCDateTime
from mettrack.core.choices import AgendaView, PdfStatus
from mettrack.core.permissions import Perm, requires
from mettrack.meetings import issue as service

blp = ApiBlueprint("api_agenda", __name__, path="/meetings", description="Issued MET meeting agendas")

MEETING_ID = "<int:meeting_id>"

CARD_DESCRIPTION = (
    "What the meeting needs of the child (docs/meetings-issue.md): case_id, name (initials in "
    "the sanitised copy), age, date_of_birth, address, school, nhs_number (null in the sanitised "
    "copy) and the case's risk, police, services, missing, NRM, links, open actions, next review "
    "and the lead professional's update (null in the sanitised copy). A key is present with null "
    "(or an empty list) where the copy withholds it."
)


class AgendaPdfStateSchema(Schema):
    status = fields.String(required=True, validate=OneOf(PdfStatus.values()))
    path = fields.String(
        required=True,
        metadata={"description": "Where a signed-in member downloads it in the browser, once ready."},
    )


class AgendaReasonSchema(Schema):
    section = fields.String(allow_none=True)
    text = fields.String(allow_none=True)


class IssuedAgendaItemSchema(Schema):
    number = fields.Integer(required=True, metadata={"description": "The item's number on the agenda."})
    case_id = fields.Integer(required=True)
    reasons = fields.List(fields.Nested(AgendaReasonSchema), required=True)
    card = fields.Dict(required=True, metadata={"description": CARD_DESCRIPTION})


class IssuedAgendaSectionSchema(Schema):
    section = fields.String(required=True)
    label = fields.String(required=True)
    items = fields.List(fields.Nested(IssuedAgendaItemSchema), required=True)


class IssuedMeetingHeaderSchema(Schema):
    title = fields.String(required=True)
    starts_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC."})
    starts_local = fields.String(required=True, metadata={"description": "As printed (Europe/London)."})
    duration_minutes = fields.Integer(required=True)
    place = fields.String(required=True, allow_none=True)
    online_link = fields.String(required=True, allow_none=True)
    chair = fields.String(required=True)


class AgendaChangeSchema(Schema):
    kind = fields.String(required=True, validate=OneOf(["added", "removed", "moved", "changed"]))
    case_id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    section = fields.String()
    from_section = fields.String()
    to_section = fields.String()
    fields_ = fields.List(fields.Dict(), data_key="fields", attribute="fields")


class AgendaVersionSchema(Schema):
    meeting_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    view = fields.String(required=True, validate=OneOf(AgendaView.values()))
    issued_at = UTCDateTime(required=True)
    issued_by = fields.String(required=True)
    note = fields.String(
        required=True, allow_none=True, metadata={"description": "Null in the sanitised copy."}
    )
    meeting = fields.Nested(IssuedMeetingHeaderSchema, required=True, metadata={"description": "As issued."})
    sections = fields.List(fields.Nested(IssuedAgendaSectionSchema), required=True)
    changes = fields.List(
        fields.Nested(AgendaChangeSchema),
        required=True,
        metadata={"description": "What changed since the version before, over copies of this kind."},
    )
    pdf = fields.Nested(AgendaPdfStateSchema, required=True)


class AgendaVersionSummarySchema(Schema):
    number = fields.Integer(required=True)
    issued_at = UTCDateTime(required=True)
    issued_by = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    items = fields.Integer(required=True)
    changes = fields.List(fields.Nested(AgendaChangeSchema), required=True)
    pdfs = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(AgendaPdfStateSchema),
        required=True,
        metadata={"description": "By copy: full, sanitised."},
    )


class AgendaVersionListSchema(Schema):
    items = fields.List(
        fields.Nested(AgendaVersionSummarySchema), required=True, metadata={"description": "Newest first."}
    )


class AgendaReadQuerySchema(Schema):
    version = fields.Integer(
        validate=Range(min=1, max=2_147_483_647),
        metadata={"description": "A version number; the newest if left out."},
    )
    view = fields.String(
        load_default=AgendaView.FULL.value,
        validate=OneOf(AgendaView.values()),
        metadata={"description": "full (members) or sanitised."},
    )


class AgendaIssueSchema(Schema):
    note = fields.String(
        allow_none=True,
        validate=Length(max=service.NOTE_MAX),
        metadata={"description": "For the members, e.g. what this version corrects. Names no child."},
    )


def _pdf_path(meeting_id: int, number: int, view: AgendaView) -> str:
    endpoint = (
        "agenda_versions.sanitised_pdf" if view is AgendaView.SANITISED else "agenda_versions.version_pdf"
    )
    return url_for(endpoint, meeting_id=meeting_id, number=number)


def _pdf_state(pdf, meeting_id: int, number: int, view: AgendaView) -> dict:
    status = pdf.status if pdf else PdfStatus.PENDING.value
    return {"status": status, "path": _pdf_path(meeting_id, number, view)}


def _version(meeting_id, version, view: AgendaView, agenda: dict, changes: list, pdf) -> dict:
    return {
        "meeting_id": meeting_id,
        "number": version.number,
        "view": view.value,
        "issued_at": version.issued_at,
        "issued_by": version.issued_by.name,
        "note": None if view is AgendaView.SANITISED else version.note,
        "meeting": agenda["meeting"],
        "sections": agenda["sections"],
        "changes": changes,
        "pdf": _pdf_state(pdf, meeting_id, version.number, view),
    }


@blp.route(f"/{MEETING_ID}/agenda")
class Agenda(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.arguments(AgendaReadQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, AgendaVersionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int, view: str, version: int | None = None):
        """Read an issued agenda

        The newest issued version, or `version`; the members' full copy, or with
        `view=sanitised` the sanitised copy for wider forums (initials and age in place
        of names; no date of birth, address, school, NHS number or lead's update). For
        the meeting's members (its chair and the people invited; MET chairs reach every
        meeting); 404 for anyone else, and while no agenda is issued. Audited as
        agenda.viewed with the meeting as the reason.
        """
        copy = service.read_version(current_user, meeting_id, version, AgendaView(view))
        return _version(meeting_id, copy.version, copy.view, copy.agenda, copy.changes, copy.pdf)


@blp.route(f"/{MEETING_ID}/agenda/versions")
class AgendaVersions(MethodView):
    @requires(Perm.MEETING_VIEW)
    @blp.response(200, AgendaVersionListSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, meeting_id: int):
        """List the issued versions of a meeting's agenda

        Newest first, each with what changed since the one before (items added, removed,
        moved to another section, card fields changed) and the state of its two PDFs.
        For the meeting's members. Audited as agenda.viewed.
        """
        found = service.list_versions(current_user, meeting_id)
        return {
            "items": [
                {
                    "number": v.number,
                    "issued_at": v.issued_at,
                    "issued_by": v.issued_by.name,
                    "note": v.note,
                    "items": sum(len(s["items"]) for s in v.full.get("sections", [])),
                    "changes": v.changes or [],
                    "pdfs": {
                        view.value: _pdf_state(found.pdfs.get((v.id, view.value)), meeting_id, v.number, view)
                        for view in AgendaView
                    },
                }
                for v in found.versions
            ]
        }

    @requires(Perm.MEETING_MANAGE)
    @blp.arguments(AgendaIssueSchema, unknown=RAISE)
    @blp.response(201, AgendaVersionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, data: dict, meeting_id: int):
        """Issue the agenda

        A MET chair issues the meeting's draft agenda as its next version: a frozen copy
        (full and sanitised) that later changes to the cases never change, with what
        changed since the version before. Its two PDFs are built in the background
        (`pdf.status` pending, then ready). Refused (422 naming `agenda`) while the draft
        agenda is empty or the meeting is cancelled. Audited as agenda.issued.
        """
        version = service.issue_agenda(current_user, meeting_id, note=data.get("note"))
        return _version(meeting_id, version, AgendaView.FULL, version.full, version.changes or [], None)
