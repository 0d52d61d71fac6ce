"""Made-up case notes for the demo cases (called from demo/load.py).

Every note is invented and written as it should be: about what adults do to the child
and what the professionals are doing about it, never blaming the child (phrases.csv).
The demo's notes pass the language check (tests/services/test_notes.py checks this).
"""

from datetime import datetime, timedelta

from mettrack.accounts.models import User
from mettrack.notes import add_note

# The case's number in demo.DEMO_CHILDREN -> [(days after the case opened, who, text)],
# who being "lead" or "partner".
DEMO_NOTES: dict[int, list[tuple[int, str, str]]] = {
    0: [
        (
            2,
            "lead",
            "Spoke with the child's school. Staff have seen an adult they do not know waiting near the "
            "gates at the end of the day. The school will note dates and times and pass them to us.",
        ),
        (
            9,
            "partner",
            "Police checked the car seen near the school: registered to an adult with no known link to the "
            "family. Intelligence submitted; we will update the MET group.",
        ),
    ],
    2: [
        (
            4,
            "lead",
            "Home visit with mum. The child talked about a new friend who buys them food and phone credit. "
            "This may be grooming. Safety plan agreed with mum; the child knows who to call.",
        )
    ],
    4: [
        (
            3,
            "lead",
            "Return Home Interview offered by an independent worker and accepted. The child was frightened "
            "to say where they had been. They may have been groomed by an older man; referral to the MET "
            "meeting made.",
        ),
        (
            12,
            "lead",
            "Disruption: hotel manager told about concerns and the Child Abduction Warning Notice process "
            "explained by police. The child is engaging well with their Barnardo's worker.",
        ),
    ],
    6: [
        (
            5,
            "lead",
            "The child was found in another town with adults who are not family. They are being criminally "
            "exploited through county lines. NRM referral discussed with the social worker.",
        ),
        (
            10,
            "partner",
            "Police safeguarding visit completed. The child said they owe money to the adults who moved "
            "them. Debt bondage considered; intelligence shared with the county lines team.",
        ),
    ],
    9: [
        (
            6,
            "lead",
            "Review with the child and carer: no missing episodes this month, back in school full time. "
            "The child says the support from the youth worker helps.",
        )
    ],
}


def steps(demo, opened: datetime, lead: User, partner: User) -> list:
    """Who: demo/load.py while planning the demo. The notes of the demo case, each
    written through notes/case_notes.add_note on its day; a partner's note only where the
    partner is on the case's team (else the lead writes it)."""

    def write(who: str, text: str) -> None:
        on_team = any(member.user_id == partner.id for member in demo.case.team)
        add_note(partner if who == "partner" and on_team else lead, demo.case_id, text)

    return [
        (opened + timedelta(days=days), demo.n, 20 + i, lambda who=who, text=text: write(who, text))
        for i, (days, who, text) in enumerate(DEMO_NOTES.get(demo.n, []))
    ]
