"""Browser tests: Debian's Chromium driven by Playwright, against the app served by
werkzeug in a thread, on the suite's database, with the demo data loaded once.

Chromium: METTRACK_CHROMIUM, else /usr/bin/chromium (scripts/test installs Debian's
package when it can). Nothing is downloaded: Playwright starts that binary. Under CI=true
a missing browser (or Playwright) fails the run; outside CI these tests skip, saying why.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.browser.support import AXE_SOURCE
from tests.conftest import CI

CHROMIUM = os.environ.get("METTRACK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    # One xdist worker runs them all (pyproject: --dist loadgroup): one browser, one demo load.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def _unavailable(reason: str):
    if CI:
        pytest.fail(f"CI=true and {reason}: the browser tests must run under CI.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not at {CHROMIUM} (apt-get install chromium, or set METTRACK_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the suite's per-test emptying: the browser tests share the demo data, and
    `live_server` empties the tables once they are done."""
    yield


@pytest.fixture(scope="package")
def live_server(app):
    """The app on a free port, in a thread, with the demo data. Yields its base URL."""
    from werkzeug.serving import make_server

    from mettrack.core.clock import set_now
    from tests.conftest import _empty_tables
    from tests.demo_data import load_demo_snapshot

    _empty_tables(app)
    with app.app_context():
        load_demo_snapshot()
    set_now(None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        set_now(None)
        _empty_tables(app)


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh context (no cookies), with axe-core added to every document it
    loads (an init script, so the pages' CSP does not apply to it)."""
    contexts = []

    def make(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        context.add_init_script(script=AXE_SOURCE)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
