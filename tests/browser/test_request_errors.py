"""An htmx request that fails must say so: errors are shown, never silently dropped."""

from unittest import mock

from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.db import OperationalError
from playwright.sync_api import expect

from ledger.models import BalanceTransaction
from tests.factories import make_customer


def _open_actions(page, customer):
    page.goto(customer.get_absolute_url())
    page.get_by_text("Actions").click()


def _banner(page):
    return page.locator("#request-error")


def test_forbidden_click_shows_a_permission_message(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    _open_actions(page, customer)
    # The role loses the permission after the page was drawn: the server answers 403.
    Group.objects.get(name="Billing staff").permissions.remove(
        Permission.objects.get(codename="change_customer")
    )
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    alert = page.get_by_role("alert").filter(has_text="Something went wrong (403)")
    expect(alert).to_contain_text("you may not have permission for this")
    expect(page.locator("dialog[open]")).to_have_count(0)


def test_server_error_shows_one_message_and_can_be_dismissed(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    page.route("**/edit/", lambda route: route.fulfill(status=500, body="boom"))
    _open_actions(page, customer)
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    expect(_banner(page)).to_contain_text("Something went wrong (500)")

    # A second failure replaces the message instead of stacking another.
    page.get_by_text("Actions").click()
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    expect(_banner(page).locator(".message")).to_have_count(1)

    _banner(page).get_by_role("button", name="Dismiss").click()
    expect(_banner(page)).to_be_empty()


def test_network_failure_says_the_server_could_not_be_reached(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    page.route("**/edit/", lambda route: route.abort())
    _open_actions(page, customer)
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    expect(_banner(page)).to_contain_text(
        "The server could not be reached. Check your connection and try again."
    )


def test_error_while_a_dialog_is_open_shows_inside_the_dialog(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    _open_actions(page, customer)
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Edit information")).to_be_visible()
    page.route(
        "**/edit/",
        lambda route: (
            route.fulfill(status=500, body="boom")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    dialog.get_by_role("button", name="Update customer").click()
    # The page behind a modal dialog is inert, so the message is shown in the dialog.
    expect(dialog.get_by_role("alert")).to_contain_text("Something went wrong (500)")
    expect(dialog.get_by_role("alert")).to_be_visible()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Acme")


def test_form_errors_422_are_not_reported_as_failures(signed_in_page):
    customer = make_customer(name="Acme")
    page = signed_in_page
    _open_actions(page, customer)
    page.locator("#actions-menu").get_by_role("link", name="Edit information").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Name", exact=True).fill("")
    dialog.get_by_role("button", name="Update customer").click()
    expect(dialog.locator(".errorlist")).not_to_have_count(0)
    expect(page.get_by_text("Something went wrong")).to_have_count(0)


def test_the_database_going_away_says_unavailable_and_saving_again_posts_once(signed_in_page):
    """The adjustment commits, then the database goes before the session is saved at the
    end of the request: the server answers 503. Pressing the button again in the same
    dialog (the same idempotency key) posts nothing twice."""
    customer = make_customer(name="Acme", default_currency="EUR")
    page = signed_in_page
    _open_actions(page, customer)
    page.locator("#actions-menu").get_by_role("link", name="Adjust balance").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Amount").fill("5")
    down = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(Session, "save", side_effect=down):
        dialog.get_by_role("button", name="Adjust balance").click()
        expect(dialog.get_by_role("alert")).to_contain_text(
            "Temporarily unavailable (503): the service could not reach its database."
        )
    expect(dialog.get_by_label("Amount")).to_have_value("5")

    dialog.get_by_role("button", name="Adjust balance").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator("#balances")).to_contain_text("€5.00")
    assert BalanceTransaction.objects.filter(customer=customer).count() == 1
