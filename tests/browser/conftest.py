"""Playwright against a live server, driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def signed_in_page(browser, live_server, billing_user):
    """A page signed in as billing staff, through the real login form."""
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    yield sign_in(context, billing_user)
    context.close()


def sign_in(context, user, next_url="/customers/"):
    """A new page in `context`, signed in as `user` through the real login form and
    on `next_url` (most tests start on the Customers page; signing in alone lands on Home)."""
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"/login/?next={next_url}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")
    return page


@pytest.fixture(autouse=True)
def _roles_after_each_flush(flushable_db, roles):
    """Live-server tests flush the database after each test, so the groups and
    permissions the migrations made are recreated for each (tests/conftest.py)."""


@pytest.fixture
def csp_violations(signed_in_page):
    """What the browser reports against the Content-Security-Policy (and page errors)."""
    violations = []
    signed_in_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    signed_in_page.on("pageerror", lambda error: violations.append(str(error)))
    return violations
