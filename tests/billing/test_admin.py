from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Coupon, CreditNote, DocumentEmail, Invoice, InvoiceItem, TaxRate
from billing.services import credit_note_issue
from tests.factories import make_coupon, make_customer, make_invoice, make_tax_rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    customer = make_customer(name="Acme Ltd", email="billing@acme.example")
    invoice = make_invoice(customer, 1250, 750, finalize=True)
    credit_note_issue(invoice=invoice, amount=500, memo="Goodwill")
    return invoice


@pytest.fixture(params=["admin_client", "billing_client"])
def staff_client(request):
    return request.getfixturevalue(request.param)


def _changelist(model):
    return reverse(f"admin:billing_{model._meta.model_name}_changelist")


def _change(obj):
    return reverse(f"admin:billing_{obj._meta.model_name}_change", args=[obj.pk])


def _add(model):
    return reverse(f"admin:billing_{model._meta.model_name}_add")


def _delete(obj):
    return reverse(f"admin:billing_{obj._meta.model_name}_delete", args=[obj.pk])


def test_changelists_and_change_pages_render_for_staff(staff_client, invoice):
    make_coupon(percent_off="10", name="Ten off")
    make_tax_rate("20")
    item, note = invoice.lines.first(), invoice.credit_notes.get()
    for obj in [invoice, item, note, TaxRate.objects.get(), Coupon.objects.get()]:
        response = staff_client.get(_changelist(type(obj)))
        assert response.status_code == 200, type(obj)
        response = staff_client.get(_change(obj))
        assert response.status_code == 200, type(obj)


def test_invoice_list_shows_formatted_totals(billing_client, invoice):
    page = billing_client.get(_changelist(Invoice)).content.decode()
    assert invoice.number in page and "Acme Ltd" in page
    assert "$20.00" in page


def test_invoice_page_shows_its_lines_and_credit_notes(billing_client, invoice):
    page = billing_client.get(_change(invoice)).content.decode()
    assert invoice.lines.first().public_id in page
    assert invoice.credit_notes.get().number in page


def test_invoice_search_is_by_exact_number_id_or_customer(billing_client, invoice):
    other = make_invoice(make_customer(name="Other Co"), 100, finalize=True)
    url = _changelist(Invoice)
    for term in [invoice.number, invoice.public_id, invoice.customer.public_id,
                 "BILLING@acme.example"]:  # fmt: skip
        page = billing_client.get(url, {"q": term}).content.decode()
        assert invoice.number in page and other.number not in page, term
    page = billing_client.get(url, {"q": "acme"}).content.decode()
    assert invoice.number not in page


def test_credit_note_search_finds_it_by_its_invoice_customer(billing_client, invoice):
    note = invoice.credit_notes.get()
    page = billing_client.get(
        _changelist(CreditNote), {"q": invoice.customer.public_id}
    ).content.decode()
    assert note.number in page


@pytest.mark.parametrize("model", [Invoice, InvoiceItem, CreditNote])
def test_invoices_items_and_credit_notes_are_read_only(staff_client, invoice, model):
    obj = {Invoice: invoice, InvoiceItem: invoice.lines.first(),
           CreditNote: invoice.credit_notes.first()}[model]  # fmt: skip
    page = staff_client.get(_change(obj)).content.decode()
    assert 'name="_save"' not in page
    assert staff_client.get(_add(model)).status_code == 403
    assert staff_client.post(_change(obj), {"memo": "Changed"}).status_code == 403
    assert staff_client.post(_delete(obj), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    invoice.refresh_from_db()
    assert invoice.memo == ""


def _tax_rate_form(**overrides):
    data = {"display_name": "VAT", "percentage": "20", "country": "", "jurisdiction": "",
            "active": "on"}  # fmt: skip
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_billing_staff_add_a_tax_rate_with_default_customers(billing_client):
    customer = make_customer()
    response = billing_client.post(
        _add(TaxRate), _tax_rate_form(percentage="7.5", inclusive="on", default_for=[customer.pk])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rate = TaxRate.objects.get()
    assert rate.percentage == Decimal("7.5") and rate.inclusive
    assert list(rate.default_for.all()) == [customer]


def test_tax_rate_default_customers_use_autocomplete_not_a_select(billing_client):
    make_customer(name="Not listed")
    page = billing_client.get(_add(TaxRate)).content.decode()
    assert "admin-autocomplete" in page and "Not listed" not in page


def test_billing_staff_find_customers_for_a_tax_rate_by_autocomplete(billing_client):
    customer = make_customer(name="Findable Ltd")
    response = billing_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "billing", "model_name": "taxrate", "field_name": "default_for",
         "term": "findable"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(customer.pk), "text": "Findable Ltd"}]


def test_tax_rate_percentage_and_inclusive_are_fixed_once_created(billing_client):
    rate = make_tax_rate("20", display_name="VAT")
    page = billing_client.get(_change(rate)).content.decode()
    assert 'name="percentage"' not in page and 'name="inclusive"' not in page
    response = billing_client.post(
        _change(rate), _tax_rate_form(display_name="VAT (UK)", percentage="5", inclusive="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rate.refresh_from_db()
    assert rate.display_name == "VAT (UK)"
    assert rate.percentage == Decimal("20") and not rate.inclusive


def test_tax_rates_and_coupons_are_never_deleted_in_the_admin(admin_client):
    rate, coupon = make_tax_rate(), make_coupon(percent_off="10")
    assert admin_client.post(_delete(rate), {"post": "yes"}).status_code == 403
    assert admin_client.post(_delete(coupon), {"post": "yes"}).status_code == 403
    assert TaxRate.objects.exists() and Coupon.objects.exists()


def _coupon_form(**overrides):
    data = {"name": "Launch", "percent_off": "", "amount_off": "", "currency": "",
            "duration": "once", "active": "on"}  # fmt: skip
    data.update(overrides)
    return data


def _coupon_errors(client, **overrides):
    response = client.post(_add(Coupon), _coupon_form(**overrides))
    assert response.status_code == 200
    assert not Coupon.objects.exists()
    return response.context["adminform"].form.errors


def test_billing_staff_add_percent_and_amount_coupons(billing_client):
    assert billing_client.post(_add(Coupon), _coupon_form(percent_off="25")).status_code == 302
    response = billing_client.post(
        _add(Coupon), _coupon_form(name="Five", amount_off="5.00", currency="EUR")
    )
    assert response.status_code == 302
    assert {(c.name, c.percent_off, c.amount_off, c.currency) for c in Coupon.objects.all()} == {
        ("Launch", Decimal("25"), None, ""),
        ("Five", None, 500, "EUR"),
    }
    page = billing_client.get(_changelist(Coupon)).content.decode()
    assert "25% off" in page and "€5.00 off" in page


def test_coupon_amount_off_is_typed_in_major_units_of_its_currency(billing_client):
    response = billing_client.post(_add(Coupon), _coupon_form(amount_off="5.00", currency="usd"))
    assert response.status_code == 302, response.content.decode()[:2000]
    coupon = Coupon.objects.get()
    assert (coupon.amount_off, coupon.currency) == (500, "USD")


def test_coupon_amount_off_with_too_many_decimals_is_refused_on_its_field(billing_client):
    response = billing_client.post(_add(Coupon), _coupon_form(amount_off="5.001", currency="usd"))
    assert response.status_code == 200
    assert not Coupon.objects.exists()
    form = response.context["adminform"].form
    assert form.errors == {"amount_off": ["USD amounts have at most 2 decimal places."]}
    assert 'value="5.001"' in response.content.decode()


def test_coupon_needs_a_percent_or_an_amount_off(billing_client):
    errors = _coupon_errors(billing_client)
    assert errors == {"percent_off": ["Enter a percent off or an amount off."]}


def test_coupon_cannot_have_both_a_percent_and_an_amount_off(billing_client):
    errors = _coupon_errors(billing_client, percent_off="10", amount_off="500", currency="USD")
    assert errors["amount_off"] == ["Enter a percent off or an amount off, not both."]
    assert "__all__" not in errors


def test_amount_off_coupon_needs_a_currency(billing_client):
    errors = _coupon_errors(billing_client, amount_off="500")
    assert errors == {"currency": ["An amount off needs a currency."]}


def test_percent_off_coupon_has_no_currency(billing_client):
    errors = _coupon_errors(billing_client, percent_off="10", currency="USD")
    assert errors == {"currency": ["A percent-off coupon has no currency: leave it blank."]}


def test_coupon_discount_must_be_positive(billing_client):
    assert "percent_off" in _coupon_errors(billing_client, percent_off="0")
    assert "amount_off" in _coupon_errors(billing_client, amount_off="0", currency="USD")


def test_coupon_amounts_are_fixed_once_created(billing_client):
    coupon = make_coupon(percent_off="10", name="Old")
    response = billing_client.post(
        _change(coupon), _coupon_form(name="New", percent_off="90", duration="forever")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    coupon.refresh_from_db()
    assert coupon.name == "New"
    assert coupon.percent_off == Decimal("10") and coupon.duration == "once"


def test_customer_coupon_uses_autocomplete_for_the_customer(billing_client):
    from billing.models import CustomerCoupon

    make_customer(name="Not listed")
    customer, coupon = make_customer(), make_coupon(percent_off="10")
    url = reverse("admin:billing_customercoupon_add")
    page = billing_client.get(url).content.decode()
    assert "admin-autocomplete" in page and "Not listed" not in page
    response = billing_client.post(url, {"customer": customer.pk, "coupon": coupon.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    held = CustomerCoupon.objects.get()
    assert (held.customer, held.coupon) == (customer, coupon)
    page = billing_client.get(_changelist(CustomerCoupon)).content.decode()
    assert customer.name in page
    assert billing_client.get(_change(held)).status_code == 200


def test_a_coupons_change_page_shows_its_discount_as_staff_read_it(billing_client):
    coupon = make_coupon(amount_off=500, currency="EUR", name="Five")
    page = billing_client.get(_change(coupon)).content.decode()
    assert "€5.00 off" in page
    assert ">500<" not in page and 'name="amount_off"' not in page


def test_emails_sent_are_listed_for_support_by_invoice_number(client, invoice):
    from billing.services.emails import email_invoice
    from tests.factories import make_user

    email = email_invoice(invoice=invoice)
    other = email_invoice(
        invoice=make_invoice(make_customer(email="b@example.com"), 100, finalize=True)
    )
    client.force_login(make_user("Support", is_staff=True))
    page = client.get(_changelist(DocumentEmail), {"q": invoice.number}).content.decode()
    assert email.public_id in page and other.public_id not in page
    assert client.get(_change(email)).status_code == 200
    assert client.get(_add(DocumentEmail)).status_code == 403
