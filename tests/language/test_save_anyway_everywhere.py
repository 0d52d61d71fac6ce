"""One way to save anyway: every template that shows the language check's findings offers
the "Save anyway" button (save_anyway_button) after its form's own submit button, and no
template offers a tick box for it. The pages themselves: tests/web/test_wording_check_pages.py
(moves, screening, risk, missing, services), tests/web/test_notes.py, and the meetings',
intelligence and services' page tests."""

import re
from pathlib import Path

import mettrack

ROOT = Path(mettrack.__file__).parent
MACROS = ROOT / "language" / "templates" / "_language_check.html"
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html") if p != MACROS)
CHECKED = [p for p in TEMPLATES if "language_findings" in p.read_text()]


def test_every_form_showing_findings_offers_the_save_anyway_button():
    assert len(CHECKED) >= 20  # notes, moves, screening, risk, missing, minutes, updates, links ...
    without = [str(p.relative_to(ROOT)) for p in CHECKED if "save_anyway_button(" not in p.read_text()]
    assert without == []


def test_the_button_comes_after_the_forms_own_submit_button():
    for path in CHECKED:
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            if "save_anyway_button(" in line and "import" not in line:
                before = "\n".join(lines[max(0, n - 4) : n])
                assert re.search(r"submit_button\(|govukButton\(", before), f"{path.name}:{n + 1}"


def test_no_template_offers_a_tick_box_to_save_anyway():
    for path in [*TEMPLATES, MACROS]:
        text = path.read_text()
        assert "save_anyway_checkbox" not in text, path.name
        box = r'type="checkbox"[^>]*name="save_anyway"|name="save_anyway"[^>]*type="checkbox"'
        assert not re.search(box, text), path.name
        assert '"name": "save_anyway"' not in text or "govukCheckboxes" not in text, path.name
