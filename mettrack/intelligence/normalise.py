"""How postcodes, vehicle registrations, phone numbers and names are written down, so that
the same place, car, phone or person is found however someone typed it
(docs/intelligence-places-persons.md). Pure rules: no Flask, no database.

Each `*_or_none` function gives the stored form, or None for a value that cannot be one:
the caller names the field in its message. Nothing here raises for odd input.
"""

import re
import unicodedata

# The Royal Mail's shapes: outward code A9, A99, AA9, AA99, A9A or AA9A; inward code 9AA.
# GIR 0AA is the one historic exception still in use.
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_POSTCODE = re.compile(rf"({_OUTWARD})([0-9][A-Z]{{2}})", re.ASCII)
_OUTWARD_ONLY = re.compile(_OUTWARD, re.ASCII)

# Registrations (DVLA): current AB12CDE (since 2001), prefix A123BCD (1983-2001),
# suffix ABC123D (1963-1983), and dateless ones of up to four letters and four digits in
# either order (1A, ABC1234, 1234AB). Only the first three are reshaped for display;
# all are taken loosely (letters and digits, at least one of each, 2 to 8 characters)
# because cherished and foreign plates do not follow the shapes.
_CURRENT = re.compile(r"([A-Z]{2}[0-9]{2})([A-Z]{3})", re.ASCII)
_PREFIX = re.compile(r"([A-Z][0-9]{1,3})([A-Z]{3})", re.ASCII)
_SUFFIX = re.compile(r"([A-Z]{3})([0-9]{1,3}[A-Z])", re.ASCII)
_PLATE = re.compile(r"[A-Z0-9]{2,8}", re.ASCII)

# Separators people type inside a phone number or a registration.
_SEPARATORS = re.compile(r"[\s\-./()]+")
_UK_PHONE = re.compile(r"0[0-9]{9,10}", re.ASCII)


def _squashed(value) -> str:
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", "", value).upper()


# --- postcodes ----------------------------------------------------------------------------


def postcode_or_none(value) -> str | None:
    """A full UK postcode in its stored form ("po12ab" -> "PO1 2AB"), or None."""
    text = _squashed(value)
    if text == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.fullmatch(text)
    return f"{match[1]} {match[2]}" if match else None


def outward_code(value) -> str | None:
    """The outward code alone ("po1" -> "PO1"), or None: what a search by district takes."""
    text = _squashed(value)
    return text if _OUTWARD_ONLY.fullmatch(text) else None


def outward_of(postcode: str) -> str:
    """The outward code of a stored postcode ("PO1 2AB" -> "PO1")."""
    return postcode.split(" ", 1)[0]


# --- vehicle registrations ----------------------------------------------------------------


def registration_or_none(value) -> str | None:
    """A registration in its stored form: capitals, no spaces ("ab12 cde" -> "AB12CDE"),
    or None for anything but 2 to 8 letters and digits with at least one of each."""
    if not isinstance(value, str):
        return None
    text = _SEPARATORS.sub("", value).upper()
    if not _PLATE.fullmatch(text):
        return None
    if not (any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
        return None
    return text


def registration_display(stored: str) -> str:
    """How a stored registration is shown: "AB12CDE" -> "AB12 CDE" (the plate's space);
    prefix and suffix plates likewise; a dateless one as it is."""
    for shape in (_CURRENT, _PREFIX, _SUFFIX):
        match = shape.fullmatch(stored)
        if match:
            return f"{match[1]} {match[2]}"
    return stored


# --- phone numbers ------------------------------------------------------------------------


def phone_or_none(value) -> str | None:
    """A UK phone number as digits with its leading 0 ("+44 7700 900123" ->
    "07700900123"), or None unless it has 10 or 11 digits starting with 0."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("(0)", "")
    text = _SEPARATORS.sub("", text)
    if text.startswith("+44"):
        text = "0" + text[3:]
    elif text.startswith("0044"):
        text = "0" + text[4:]
    if text.startswith("00"):  # "+44 0..." typed with its national 0
        text = text[1:]
    return text if _UK_PHONE.fullmatch(text) else None


def phone_display(stored: str) -> str:
    """How a stored number is shown: "07700900123" -> "07700 900123", a London-style
    "02079460000" -> "020 7946 0000", a 10-digit one "01234 56789"."""
    if len(stored) == 11 and stored.startswith("02"):
        return f"{stored[:3]} {stored[3:7]} {stored[7:]}"
    return f"{stored[:5]} {stored[5:]}" if len(stored) >= 10 else stored


# --- names ---------------------------------------------------------------------------------


def name_key(value) -> str:
    """A name as matching compares it: lower case, accents stripped, punctuation removed,
    one space between words ("  O'Néill-Smith " -> "oneill smith")."""
    if not isinstance(value, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"[-_/]", " ", plain)
    plain = "".join(c for c in plain if c.isalnum() or c.isspace())
    return " ".join(plain.split())
