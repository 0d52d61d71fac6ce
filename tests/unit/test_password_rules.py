"""Issue 15, finding 8: which new passwords are refused (accounts/rules.password_problem),
by table. NCSC and OWASP ASVS 5.0 (6.2): length and a list of common passwords, no
composition rules."""

import pytest

from mettrack.accounts import rules
from mettrack.demo.load import DEMO_PASSWORD, DEMO_USERS
from tests import factories


def test_the_shipped_list_holds_the_10000_most_common_passwords():
    listed = rules.common_passwords()

    assert len(listed) == 10_000
    assert {"password", "123456", "qwerty", "letmein", "trustno1"} <= listed
    assert all(p == p.strip().lower() and p for p in listed)


REFUSED = [
    # (password, the rule that refuses it)
    ("password1234", rules.PASSWORD_COMMON),  # issue 15 tried this: a listed password, digits added
    ("aaaaaaaaaaaa", rules.PASSWORD_PATTERN),  # ... and this
    ("Password1234", rules.PASSWORD_COMMON),
    ("!!qwerty2026!!", rules.PASSWORD_COMMON),
    ("2026 letmein", rules.PASSWORD_COMMON),
    ("1q2w3e4r5t6y7u8i", None),  # not listed whole: length is what stops a guesser here
    ("qwertyqwertyqwerty", rules.PASSWORD_COMMON),  # a listed password repeated
    ("passwordpassword", rules.PASSWORD_COMMON),
    ("unbelievable", rules.PASSWORD_COMMON),  # listed and 12 characters long
    ("121212121212", rules.PASSWORD_PATTERN),
    ("abcdabcdabcd", rules.PASSWORD_COMMON),  # "abcd" is listed
    ("zqxzqxzqxzqx", rules.PASSWORD_PATTERN),
    ("123456789012", rules.PASSWORD_PATTERN),
    ("abcdefghijklm", rules.PASSWORD_PATTERN),
    ("ZYXWVUTSRQPON", rules.PASSWORD_PATTERN),
    ("short", rules.PASSWORD_TOO_SHORT),
    ("elevenchars", rules.PASSWORD_TOO_SHORT),
    ("x" * 257 + "yz", rules.PASSWORD_TOO_LONG),
]


@pytest.mark.parametrize(("password", "why"), REFUSED, ids=[p[:20] for p, _ in REFUSED])
def test_weak_passwords_are_refused_with_the_reason(password, why):
    assert rules.password_problem(password) == why


PERSONAL = [
    # (password, the account's e-mail, its name)
    ("morgan-was-here-2026", "someone@example.org", "Morgan Example-Chair"),
    ("my example chair pass", "someone@example.org", "Morgan Example-Chair"),  # part of a surname
    ("MorganExampleChair!", "m@example.org", "Morgan Example-Chair"),
    ("sam.placeholder.secure", "sam.placeholder@example.org", "S P"),  # the e-mail's local part
    ("lots of placeholder words", "sam.placeholder@example.org", "S P"),
]


@pytest.mark.parametrize(("password", "email", "name"), PERSONAL)
def test_a_password_containing_the_name_or_email_is_refused(password, email, name):
    assert rules.password_problem(password, email=email, name=name) == rules.PASSWORD_PERSONAL


ACCEPTED = [
    "correct horse battery staple",
    "a brand new long passphrase",
    "Tuesday kettle orbit 7",
    "ok yes it is twelve",
    "example.org is my domain",  # the e-mail's domain is not the person
]


@pytest.mark.parametrize("password", ACCEPTED)
def test_long_passphrases_are_accepted(password):
    assert rules.password_problem(password, email="sam.jones@example.org", name="Sam Jones") is None


def test_short_name_parts_are_not_refused_inside_words():
    # "Al" and "Jo" are inside too many words to refuse every password that has them.
    assert rules.password_problem("always joking about it", email="al.jo@example.org", name="Al Jo") is None


def test_the_test_and_demo_passwords_are_accepted():
    assert rules.password_problem(factories.PASSWORD, email="user1@example.org", name="Test User 1") is None
    for _, email, name, _ in DEMO_USERS:
        assert rules.password_problem(DEMO_PASSWORD, email=email, name=name) is None, email
