"""Checks of the browser tests that fail today, each with why: the one place to look.

A check listed here still runs; when it fails the test is marked xfail (not strict), and
when it passes nothing is said. Once the fix that a line waits for has landed, delete
the line: the check then fails the run if the page breaks again.

Check ids: "axe:<role>:<page>" (a serious or critical axe-core violation),
"journey:<role>:<step>" (a step of a role's journey that needs the issue 16 pages).
"""

KNOWN: dict[str, str] = {
    # Journeys: steps that need the issue 16 pages.
    "journey:lead:child page offers a screening": "issue 16: dead end after creating a child",
    "journey:lead:case summary shows missing now": "issue 16: the summary panel at the top of the case page",
    "journey:lead:case page shows where found and police reference": "issue 16: missing details read back",
    "journey:lead:case page shows what the RHI learnt": "issue 16: RHI details read back",
    "journey:chair:home queue leads to a case in MET review": "issue 16: the chair's home as a work queue",
    # axe-core: serious or critical.
    "axe:lead:new child form": "issue 16: aria-expanded on the Looked after radio (critical)",
}
