"""Browser tests: pytest-playwright's fixtures (`page`, `browser`, …) driving Debian's Chromium
(/usr/bin/chromium); no browser is downloaded.

`screenshot(page, "name")` saves a full-page screenshot under test-artifacts/screenshots/, named after the
test, so each screen a test walks through can be looked at after the run (CI keeps the folder).
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Closed network: without these flags Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page):
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def screenshot(request):
    """Save `page` as test-artifacts/screenshots/<test>--<name>.png."""
    test = re.sub(r"[^\w-]+", "_", request.node.name)

    def take(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
