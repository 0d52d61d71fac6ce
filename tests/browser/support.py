"""What the browser tests share: soft checks against known_issues.KNOWN, screenshots,
axe-core and the sideways-scroll measurement."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.known_issues import KNOWN

HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
DEMO_PASSWORD = "demo-password-2026"
WIDTHS = (1280, 375)

# Serious and critical violations only (the issue's bar); the list of each names at most
# three elements, as CSS selectors, so a failure says where to look.
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


class Checks:
    """Soft checks: each failure is kept under its check id and the test goes on, so one
    run reports every page. finish() fails on any check not in KNOWN, and marks the test
    xfail when only known ones failed."""

    def __init__(self, role: str):
        self.role = role
        self.failed: dict[str, str] = {}
        self.server_errors: list[str] = []

    @contextmanager
    def check(self, check_id: str):
        try:
            yield
        except (AssertionError, Exception) as e:  # a Playwright timeout is a failure too
            self.failed[check_id] = str(e).splitlines()[0][:400] if str(e) else type(e).__name__

    def fail(self, check_id: str, message: str) -> None:
        self.failed[check_id] = message

    def finish(self) -> None:
        assert not self.server_errors, f"pages answered 5xx: {self.server_errors}"
        unknown = {k: v for k, v in self.failed.items() if k not in KNOWN}
        if unknown:
            lines = "\n".join(f"  {k}: {v}" for k, v in sorted(unknown.items()))
            pytest.fail(f"{len(unknown)} check(s) failed (not in tests/browser/known_issues.py):\n{lines}")
        if self.failed:
            pytest.xfail("known issues: " + ", ".join(sorted(self.failed)))


def watch(page, checks: Checks) -> None:
    """Every response of 500 or more is a failure of the test, whatever page it was."""
    page.on("response", lambda r: r.status >= 500 and checks.server_errors.append(f"{r.status} {r.url}"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def clear_screenshots(role: str) -> None:
    """Each run's pictures only: the role's folder is emptied when its test starts."""
    for old in (SCREENSHOTS / role).glob("*.png"):
        old.unlink()


def screenshot(page, role: str, name: str) -> None:
    folder = SCREENSHOTS / role
    folder.mkdir(parents=True, exist_ok=True)
    count = len(list(folder.glob("*.png")))
    page.screenshot(path=str(folder / f"{count + 1:02d}-{slug(name)}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    return page.evaluate(_AXE_RUN)


def check_axe(page, checks: Checks, page_name: str) -> None:
    with checks.check(f"axe:{checks.role}:{page_name}"):
        found = axe_violations(page)
        lines = [f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in found]
        assert not found, "; ".join(lines)


def overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def check_fits(page, checks: Checks, page_name: str) -> None:
    """At each width the page is as wide as the viewport: it never scrolls sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll_width, viewport = overflow(page)
        if scroll_width > viewport:
            check_id = f"overflow:{width}:{checks.role}:{page_name}"
            checks.fail(check_id, f"{scroll_width} px wide at {viewport} px")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def sign_in(page, base_url: str, role: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(f"{role}@demo.mettrack.test")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/login" not in page.url, page.locator("main").inner_text()[:300]


def submit(page, button: str) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def follow(page, link) -> None:
    with page.expect_navigation():
        link.click()


def fill_date(scope, when, time: str | None = None) -> None:
    """A GOV.UK day/month/year group (and time, where the form asks for one)."""
    scope.get_by_label("Day", exact=True).fill(str(when.day))
    scope.get_by_label("Month", exact=True).fill(str(when.month))
    scope.get_by_label("Year", exact=True).fill(str(when.year))
    if time is not None:
        scope.get_by_label("Time", exact=True).fill(time)
