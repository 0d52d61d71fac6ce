"""intelligence/normalise.py: postcodes, registrations, phone numbers and name keys, by table."""

import pytest

from mettrack.intelligence import normalise


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("po12ab", "PO1 2AB"),
        ("PO1 2AB", "PO1 2AB"),
        (" po1  2ab ", "PO1 2AB"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr26xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("gir 0aa", "GIR 0AA"),
        ("PO1", None),
        ("PO12A", None),
        ("12345", None),
        ("PO1 2AB!", None),
        ("", None),
        (None, None),
        (12, None),
        ("PO1 2ÀB", None),
    ],
)
def test_postcode(typed, stored):
    assert normalise.postcode_or_none(typed) == stored


@pytest.mark.parametrize(
    ("typed", "outward"), [("po1", "PO1"), ("SW1A", "SW1A"), ("m1", "M1"), ("PO", None), ("1PO", None)]
)
def test_outward_code(typed, outward):
    assert normalise.outward_code(typed) == outward


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("ab12 cde", "AB12CDE", "AB12 CDE"),
        ("AB12CDE", "AB12CDE", "AB12 CDE"),
        ("ab-12-cde", "AB12CDE", "AB12 CDE"),
        ("A123 BCD", "A123BCD", "A123 BCD"),  # prefix
        ("abc 123d", "ABC123D", "ABC 123D"),  # suffix
        ("1 A", "1A", "1A"),  # dateless
        ("ABC 1234", "ABC1234", "ABC1234"),
        ("1234 AB", "1234AB", "1234AB"),
    ],
)
def test_registration(typed, stored, shown):
    assert normalise.registration_or_none(typed) == stored
    assert normalise.registration_display(stored) == shown


@pytest.mark.parametrize(
    "typed", ["", "A", "ABCDEFG", "1234567", "AB12 CDE FGH", "AB12*CDE", "ÅB12CDE", None, 7, "AB12CDEFG"]
)
def test_junk_registrations_are_refused(typed):
    assert normalise.registration_or_none(typed) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("023 9283 0000", "02392830000"),
        ("(023) 9283-0000", "02392830000"),
        ("01234 56789", "0123456789"),
        ("7700 900123", None),
        ("07700 9001", None),
        ("07700 900123 4", None),
        ("07700 9OO123", None),
        ("+1 202 555 0100", None),
        ("", None),
        (None, None),
    ],
)
def test_phone(typed, stored):
    assert normalise.phone_or_none(typed) == stored


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Dale Example", "dale example"),
        ("  DALE   EXAMPLE ", "dale example"),
        ("O'Néill-Smith", "oneill smith"),
        ("Zoë Sample.", "zoe sample"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_key(typed, key):
    assert normalise.name_key(typed) == key


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("07700900123", "07700 900123"), ("02392830000", "023 9283 0000"), ("0123456789", "01234 56789")],
)
def test_phone_display(stored, shown):
    assert normalise.phone_display(stored) == shown
