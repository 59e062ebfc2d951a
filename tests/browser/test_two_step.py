"""Two-step verification in a browser: set up from the user menu with the QR code's secret,
the recovery codes shown once, then a sign-in that asks for a code, all under the
Content-Security-Policy (the QR code is inline SVG, not a data: image)."""

import time
from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import expect


def _code_for(secret):
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_set_up_then_sign_in_with_a_recovery_code(signed_in_page, billing_user, csp_violations):
    page = signed_in_page

    page.get_by_role("link", name="Two-step verification").click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("Code").fill(_code_for(secret))
    page.get_by_role("button", name="Turn on").click()

    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill(billing_user.username)
    page.get_by_label("Password").fill("pw-for-tests-only")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Enter the 6-digit code")).to_be_visible()
    page.get_by_label("Code").fill(recovery_code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()  # where signing in lands

    assert csp_violations == []
