"""The disruption catalogue a partnership starts with (pure data: migration 0007 and the
admin's "add the defaults" read it). DESIGN.md, Intelligence; docs/intelligence.md.

Each row: code, name, description, has_expiry (orders and notices), checks_cawn, active.
The Child Criminal Exploitation Prevention Order (Crime and Policing Act 2026, Royal Assent
29 April 2026) is seeded disabled: an admin enables it once the provisions commence.
"""

DISRUPTION_KINDS = (
    (
        "cawn",
        "Child Abduction Warning Notice",
        "A police notice with no statutory force of its own, citing section 2 Child Abduction "
        "Act 1984 for a child under 16, or section 49 Children Act 1989 for a child under 18 "
        "under a care order, an emergency protection order or in police protection. A child "
        "accommodated under section 20 does not qualify.",
        True,
        True,
        True,
    ),
    (
        "sro",
        "Sexual Risk Order",
        "A civil order (Sexual Offences Act 2003, as amended in 2015) on a person who poses a risk "
        "of sexual harm, with or without a conviction.",
        True,
        False,
        True,
    ),
    (
        "shpo",
        "Sexual Harm Prevention Order",
        "An order on a person convicted or cautioned for a sexual offence (it replaced the "
        "Sexual Offences Prevention Order on 8 March 2015).",
        True,
        False,
        True,
    ),
    (
        "hotel_information_request",
        "Hotel information request",
        "A notice requiring a hotel or short-stay let to give information about guests "
        "(Anti-social Behaviour, Crime and Policing Act 2014, section 116).",
        True,
        False,
        True,
    ),
    (
        "closure_notice",
        "Closure notice or order",
        "Closing premises associated with nuisance or disorder (Anti-social Behaviour, Crime "
        "and Policing Act 2014, Part 4).",
        True,
        False,
        True,
    ),
    (
        "licensing_visit",
        "Licensing visit",
        "A visit by licensing officers to licensed premises.",
        False,
        False,
        True,
    ),
    ("arrest", "Arrest", "An arrest of a person of concern.", False, False, True),
    (
        "ccepo",
        "Child Criminal Exploitation Prevention Order",
        "An order under the Crime and Policing Act 2026. Seeded disabled: enable it once the "
        "provisions have commenced.",
        True,
        False,
        False,
    ),
    (
        "other",
        "Other disruption",
        "Any other disruption action (say what in the details).",
        False,
        False,
        True,
    ),
)
