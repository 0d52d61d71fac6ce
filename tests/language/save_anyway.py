"""The one way a form offers to save flagged wording as written: a "Save anyway" submit
button after the form's own submit button (never a tick box), sending save_anyway=yes."""

import re

_FORM = re.compile(r"<form\b.*?</form>", re.DOTALL)
_BUTTON = re.compile(r"<button\b[^>]*>.*?</button>", re.DOTALL)


def assert_save_anyway_button(page: str) -> None:
    """`page` (HTML) holds a form whose last submit button is "Save anyway", after its own."""
    assert 'type="checkbox"' not in page or 'name="save_anyway"' not in _checkboxes(page)
    forms = [form for form in _FORM.findall(page) if 'name="save_anyway"' in form]
    assert len(forms) == 1, "one form offers to save anyway"
    buttons = _BUTTON.findall(forms[0])
    assert len(buttons) >= 2, "the form's own button comes first"
    last = buttons[-1]
    assert 'name="save_anyway"' in last and 'value="yes"' in last and ">Save anyway</button>" in last
    assert 'name="save_anyway"' not in "".join(buttons[:-1])


def _checkboxes(page: str) -> str:
    return " ".join(re.findall(r"<input\b[^>]*type=\"checkbox\"[^>]*>", page))
