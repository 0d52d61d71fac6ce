"""The specialist services a partnership starts with (DESIGN.md): pure data, read by
migration 0008 and by the catalogue's "add the defaults". Codes are what requests and
meeting decisions store; the first five are the codes seeded before the catalogue existed,
so existing assignments keep them. An admin renames, re-sizes or deactivates any of them.
"""

# (code, name, provider agency's name, what it offers, exploitation types (empty: any),
#  youngest age, oldest age, capacity (children at once; None: no set limit))
DEFAULT_SERVICES: tuple[
    tuple[str, str, str, str, tuple[str, ...], int | None, int | None, int | None], ...
] = (
    (
        "barnardos_ictg",
        "Barnardo's ICTG",
        "Barnardo's",
        "Independent Child Trafficking Guardians: an advocate for a child who may have been trafficked.",
        ("cse", "cce"),
        None,
        17,
        20,
    ),
    (
        "parcs",
        "PARCS",
        "PARCS",
        (
            "CSE specialist workers and Frankie Workers: one-to-one work with children who "
            "have been sexually exploited or abused."
        ),
        ("cse",),
        10,
        18,
        25,
    ),
    (
        "dass",
        "Drug and Alcohol Support Service (DASS)",
        "Drug and Alcohol Support Service (DASS)",
        "Specialist support for children and young people harmed by drug or alcohol use.",
        (),
        10,
        18,
        30,
    ),
    (
        "early_help",
        "Early Help",
        "Early Help and Prevention",
        "Early Help and Prevention specialist workers: family support before concerns escalate.",
        (),
        None,
        18,
        None,
    ),
    (
        "edge_of_care",
        "Edge of Care",
        "Edge of Care / Adolescent Service",
        "Edge of Care / Adolescent Service: intensive work with adolescents at risk of coming into care.",
        (),
        11,
        18,
        15,
    ),
    (
        "childrens_social_care",
        "Children's Social Care",
        "Portsmouth City Council Children's Social Care (MASH)",
        "A social worker from Children's Social Care.",
        (),
        None,
        18,
        None,
    ),
)
