"""Checks of the browser tests that fail today, each with why: the one place to look.

A check listed here still runs; when it fails the test is marked xfail (not strict), and
when it passes nothing is said. Once the fix that a line waits for has landed, delete
the line: the check then fails the run if the page breaks again.

Check ids: "axe:<role>:<page>" (a serious or critical axe-core violation),
"journey:<role>:<step>" (a step of a role's journey that needs the issue 16 pages).
"""

KNOWN: dict[str, str] = {
    # Journeys: steps that need the issue 16 pages.
    # axe-core: serious or critical.
}
