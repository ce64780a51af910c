"""Browser test harness: Debian's chromium driven by Playwright against pytest-django's
live server. `playwright install` cannot download browsers here, so we point Playwright
at the system chromium.

Fixtures: `browser_page` (desktop), `phone_page` (a 390×844 phone screen), `small_phone` (360×640), and
`login(page, live_server, username, password=...)`.
"""

import os
import shutil

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# there unless told it is safe (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PHOCAP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def _browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(browser, **context_args):
    context = browser.new_context(locale="vi-VN", **context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def browser_page(_browser, live_server):
    context, page = _page(_browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield page
    context.close()


@pytest.fixture
def phone_page(_browser, live_server):
    context, page = _page(_browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                          has_touch=True, accept_downloads=True)
    yield page
    context.close()


PHONE_360 = {"width": 360, "height": 640}


@pytest.fixture
def small_phone(_browser, live_server):
    """The smallest phone screen we support: 360 × 640 (issue 11)."""
    context, page = _page(_browser, viewport=PHONE_360, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def login():
    def _login(page, live_server, username: str, password: str = TEST_PASSWORD):
        page.goto(live_server.url + reverse("accounts:login"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        return page

    return _login
