import csv
import io
import json

import pytest
from django.urls import reverse

from ledger.models import BalanceTransaction, CustomerBalance
from tests.factories import adjust, make_customer

pytestmark = pytest.mark.django_db


KEY = "adjust-00000000-0000-4000-8000-000000000001"


def _adjust_url(customer):
    return reverse("ledger:adjust", args=[customer.public_id])


def _post_adjust(client, customer, htmx=None, **data):
    form = {"adjustment_type": "credit", "amount": "10.00", "idempotency_key": KEY, **data}
    return client.post(_adjust_url(customer), form, **(htmx or {}))


def test_customer_page_shows_the_credit_balance_section(billing_client):
    customer = make_customer(name="Acme")
    adjust(customer, -1050, "USD", internal_note="Goodwill")
    adjust(customer, 700, "EUR")
    page = billing_client.get(customer.get_absolute_url()).content.decode()
    assert "Credit balance" in page and "Adjust balance" in page
    assert "$10.50" in page and "credit" in page
    assert "€7.00" in page and "owed by the customer" in page
    assert "Goodwill" in page and "Reverse" in page


def test_support_sees_the_balance_but_cannot_adjust(support_client):
    customer = make_customer()
    adjust(customer, -100)
    page = support_client.get(customer.get_absolute_url()).content.decode()
    assert "Credit balance" in page
    assert "Adjust balance" not in page and "Reverse" not in page
    assert _post_adjust(support_client, customer).status_code == 403
    assert not CustomerBalance.objects.exclude(amount=-100).exists()


def test_adjust_dialog_offers_currency_only_without_a_default(billing_client, htmx):
    with_default = make_customer(default_currency="JPY")
    body = billing_client.get(_adjust_url(with_default), **htmx).content.decode()
    assert body.lstrip().startswith("<dialog") and 'name="currency"' not in body
    assert "JPY" in body
    without = make_customer()
    assert 'name="currency"' in billing_client.get(_adjust_url(without), **htmx).content.decode()


def test_credit_in_the_customer_currency(billing_client, billing_user, htmx):
    customer = make_customer(default_currency="USD")
    response = _post_adjust(billing_client, customer, htmx, amount="10.00", internal_note="Sorry")
    assert response.status_code == 204
    assert {"closeDialog", "balanceChanged"} <= set(json.loads(response.headers["HX-Trigger"]))
    posted = BalanceTransaction.objects.get()
    assert (posted.amount, posted.currency, posted.internal_note) == (-1000, "USD", "Sorry")
    assert posted.created_by == billing_user


def test_debit_in_a_chosen_currency_with_three_decimals(billing_client, htmx):
    customer = make_customer()
    response = _post_adjust(
        billing_client, customer, htmx, adjustment_type="debit", amount="1.234", currency="KWD"
    )
    assert response.status_code == 204
    assert CustomerBalance.objects.get(customer=customer).amount == 1234


@pytest.mark.parametrize(
    ("data", "message"),
    [({"amount": "10.5", "currency": "JPY"}, "no minor unit"),
     ({"amount": "0"}, "greater than zero"), ({"amount": "abc"}, "digits"),
     ({"amount": "10", "currency": ""}, "This field is required")],
)  # fmt: skip
def test_bad_amounts_are_shown_in_the_dialog_and_post_nothing(billing_client, htmx, data, message):
    customer = make_customer()
    data = {"currency": "USD", **data}
    response = _post_adjust(billing_client, customer, htmx, **data)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body and f'value="{data["amount"]}"' in body
    assert not BalanceTransaction.objects.exists()


def test_resubmitting_the_same_dialog_posts_once(billing_client, htmx):
    customer = make_customer(default_currency="USD")
    for _ in range(3):
        assert _post_adjust(billing_client, customer, htmx).status_code == 204
    assert BalanceTransaction.objects.count() == 1


def test_reverse_with_confirmation(billing_client, htmx):
    customer = make_customer()
    original = adjust(customer, -500)
    url = reverse("ledger:reverse", args=[customer.public_id, original.public_id])
    assert "a debit" in billing_client.get(url, **htmx).content.decode()
    assert billing_client.post(url, **htmx).status_code == 204
    assert billing_client.post(url, **htmx).status_code == 204  # same key: no second reversal
    assert CustomerBalance.objects.get(customer=customer).amount == 0
    assert BalanceTransaction.objects.count() == 2


def test_edit_changes_only_description_and_metadata(billing_client, htmx):
    customer = make_customer()
    posted = adjust(customer, -500)
    url = reverse("ledger:edit", args=[customer.public_id, posted.public_id])
    response = billing_client.post(url, {"description": "Refund", "metadata": "ticket=9"}, **htmx)
    assert response.status_code == 204
    posted.refresh_from_db()
    assert (posted.description, posted.metadata, posted.amount) == ("Refund", {"ticket": "9"}, -500)


def test_section_fragment_and_page(billing_client, htmx):
    customer = make_customer()
    adjust(customer, -500)
    url = reverse("ledger:credit_balance", args=[customer.public_id])
    fragment = billing_client.get(url, **htmx).content.decode()
    assert fragment.lstrip().startswith('<section class="card credit-balance"')
    assert "<html" in billing_client.get(url).content.decode()


def test_history_is_paginated_newest_first(billing_client):
    customer = make_customer()
    posted = [adjust(customer, -(n + 1)) for n in range(25)]
    url = reverse("ledger:credit_balance", args=[customer.public_id])
    first = billing_client.get(url).content.decode()
    assert posted[-1].public_id in first and posted[0].public_id not in first
    second = billing_client.get(url, {"page": 2}).content.decode()
    assert posted[0].public_id in second


def test_history_filters_as_its_export_does_and_keeps_them_across_pages(billing_client, htmx):
    customer = make_customer()
    euros = [adjust(customer, -(n + 1), currency="EUR") for n in range(22)]
    dollars = adjust(customer, -700, currency="USD")
    url = reverse("ledger:credit_balance", args=[customer.public_id])

    page = billing_client.get(url, {"currency": "eur"}, **htmx).content.decode()
    assert euros[-1].public_id in page and dollars.public_id not in page
    assert "currency=eur&amp;page=2" in page  # the next page keeps the filter
    export = reverse("ledger:export", args=[customer.public_id])
    assert f'href="{export}?currency=eur"' in page  # the export holds what is shown
    second = billing_client.get(url, {"currency": "eur", "page": 2}, **htmx).content.decode()
    assert euros[0].public_id in second and dollars.public_id not in second

    page = billing_client.get(url, {"currency": "USD", "type": "adjustment"}).content.decode()
    assert dollars.public_id in page and euros[-1].public_id not in page
    page = billing_client.get(url, {"type": "credit_note"}).content.decode()
    assert 'id="history-empty"' in page and "No balance transactions match" in page


def test_invalid_history_filters_are_reported_and_left_out(billing_client):
    customer = make_customer()
    posted = adjust(customer, -100)
    url = reverse("ledger:credit_balance", args=[customer.public_id])
    page = billing_client.get(url, {"created_after": "31/31/2026"}).content.decode()
    assert 'class="form-errors"' in page and "Enter a valid date." in page
    assert posted.public_id in page  # unfiltered
    assert 'value="31/31/2026"' in page  # the input kept


def test_transactions_export(ops_client):
    customer = make_customer()
    adjust(customer, -1050, internal_note="=cmd")
    adjust(customer, 50, "JPY")
    response = ops_client.get(reverse("ledger:export", args=[customer.public_id]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["amount"], r["currency"], r["ending_balance"]) for r in rows] == [
        ("-1050", "USD", "-1050"),
        ("50", "JPY", "50"),
    ]
    assert rows[0]["internal_note"] == "'=cmd" and rows[0]["type"] == "adjustment"
    assert (rows[0]["amount_major"], rows[1]["amount_major"]) == ("-10.50", "50")


def test_support_cannot_export_the_ledger(support_client):
    customer = make_customer()
    adjust(customer, -100)
    assert "balance/export/" not in support_client.get(customer.get_absolute_url()).content.decode()
    response = support_client.get(reverse("ledger:export", args=[customer.public_id]))
    assert response.status_code == 403


def test_starting_balance_needs_the_ledger_permission(client, htmx):
    from customers.models import Customer
    from tests.factories import make_user, profile_post_data

    user = make_user()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="add_customer"))
    client.force_login(user)
    data = profile_post_data(default_currency="USD", **{"starting_balance-amount": "1000000"})
    response = client.post(reverse("ledger:customer_add"), data, **htmx)
    assert response.status_code == 422
    assert "Your role cannot set a starting balance." in response.content.decode()
    assert not Customer.objects.exists()


def test_customers_page_shows_balances_and_filters_by_them(billing_client, htmx):
    creditor = make_customer(name="Creditor Ltd")
    debtor = make_customer(name="Debtor Ltd")
    make_customer(name="Neutral Ltd")
    adjust(creditor, -1050, "USD")
    adjust(debtor, 2000, "EUR")
    adjust(debtor, -5, "USD")
    listing = reverse("customers:list")
    page = billing_client.get(listing).content.decode()
    assert "$10.50 credit" in page and "€20.00 owed" in page

    def names(balance):
        table = billing_client.get(listing, {"balance": balance}, **htmx).content.decode()
        return sorted(n for n in ("Creditor Ltd", "Debtor Ltd", "Neutral Ltd") if n in table)

    assert names("credit") == ["Creditor Ltd", "Debtor Ltd"]
    assert names("owes") == ["Debtor Ltd"]
    count = billing_client.get(reverse("customers:count"), {"balance": "credit"})
    assert count.content.decode() == "2 customers"


def test_adding_a_customer_with_a_starting_balance_writes_an_initial_transaction(
    billing_client, htmx
):
    from tests.factories import profile_post_data

    data = profile_post_data(
        default_currency="EUR",
        **{"starting_balance-amount": "25.00", "starting_balance-adjustment_type": "credit"},
    )
    assert billing_client.post(reverse("ledger:customer_add"), data, **htmx).status_code == 204
    opening = BalanceTransaction.objects.get()
    assert (opening.type, opening.amount, opening.currency) == ("initial", -2500, "EUR")


def test_starting_balance_without_any_currency_is_an_error_and_adds_nothing(billing_client, htmx):
    from customers.models import Customer
    from tests.factories import profile_post_data

    data = profile_post_data(**{"starting_balance-amount": "25.00"})
    response = billing_client.post(reverse("ledger:customer_add"), data, **htmx)
    assert response.status_code == 422
    assert "Choose the balance currency" in response.content.decode()
    assert not Customer.objects.exists() and not BalanceTransaction.objects.exists()


def test_without_htmx_an_adjustment_redirects_and_the_page_says_so(billing_client):
    customer = make_customer(default_currency="USD")
    response = _post_adjust(billing_client, customer)
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    page = billing_client.get(response.url).content.decode()
    assert "Balance adjusted: $10.00 credit." in page


def _shown_message(response):
    import json

    return json.loads(response["HX-Trigger"])["showMessage"]["text"]


def test_messages_and_titles_name_amounts_not_transaction_ids(billing_client, htmx):
    customer = make_customer(default_currency="USD")
    adjusted = _post_adjust(billing_client, customer, htmx)
    assert _shown_message(adjusted) == "Balance adjusted: $10.00 credit."
    original = BalanceTransaction.objects.get()
    edit_url = reverse("ledger:edit", args=[customer.public_id, original.public_id])
    dialog = billing_client.get(edit_url, **htmx).content.decode()
    assert '<h2 id="dialog-title">Edit transaction</h2>' in dialog
    edited = billing_client.post(edit_url, {"description": "Refund", "metadata": ""}, **htmx)
    assert _shown_message(edited) == "Transaction updated."
    reverse_url = reverse("ledger:reverse", args=[customer.public_id, original.public_id])
    reversed_ = billing_client.post(reverse_url, **htmx)
    assert _shown_message(reversed_) == "Adjustment reversed: $10.00 debit posted."


def test_add_customer_shows_profile_and_starting_balance_errors_at_once(billing_client, htmx):
    from customers.models import Customer
    from tests.factories import profile_post_data

    data = profile_post_data(
        email="not-an-email",
        default_currency="USD",
        **{"starting_balance-amount": "12.345", "starting_balance-adjustment_type": "credit"},
    )
    response = billing_client.post(reverse("ledger:customer_add"), data, **htmx)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter a valid email address." in body
    assert "USD amounts have at most 2 decimal places" in body
    assert not Customer.objects.exists()


def test_add_customer_offers_no_customers_currency_for_the_starting_balance(billing_client, htmx):
    # The new customer has no currency until one is chosen: the balance's is a real choice.
    body = billing_client.get(reverse("ledger:customer_add"), **htmx).content.decode()
    assert "The customer&#x27;s currency" not in body and "The customer's currency" not in body
    assert '<option value="" selected>Choose a currency</option>' in body
