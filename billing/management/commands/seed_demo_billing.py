"""Demo billing for `make run` (after seed_demo_ledger): tax rates, a coupon, pending
items, drafts, open and paid invoices in several currencies, and credit notes.
Skipped when invoices already exist."""

import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from billing import services
from billing.models import Coupon, CouponDuration, CreditNoteReason, Invoice, InvoiceStatus, TaxRate
from core.money import precision
from customers.models import Customer, LegalEntity

PRODUCTS = ["Platform subscription", "Onboarding workshop", "Support hours", "API overage",
            "Data migration", "Training seat"]  # fmt: skip
TAX_RATES = [  # display name, percentage, inclusive, country
    ("Sales tax", "8.875", False, "US"),
    ("GST/HST", "13", False, "CA"),
    ("TVA", "20", True, "FR"),
    ("MwSt.", "19", True, "DE"),
    ("消費税", "10", False, "JP"),
    ("VAT", "20", False, "GB"),
]


class Command(BaseCommand):
    help = "Create demo tax rates, coupons, items, invoices and credit notes."

    def handle(self, *args, **options):
        if Invoice.objects.exists():
            self.stdout.write("Invoices already exist; demo billing not added.")
            return
        entity = LegalEntity.objects.default()
        if not entity.address_line1:
            entity.address_line1, entity.address_city = "1 Market Street", "San Francisco"
            entity.address_state, entity.address_postal_code = "CA", "94105"
            entity.address_country, entity.tax_id = "US", "US 12-3456789"
            entity.save()
        rates = {
            country: TaxRate.objects.create(
                display_name=name, percentage=Decimal(pct), inclusive=inclusive, country=country
            )
            for name, pct, inclusive, country in TAX_RATES
        }
        Coupon.objects.create(
            name="Launch 10%", percent_off=Decimal(10), duration=CouponDuration.FOREVER
        )
        Coupon.objects.create(name="Welcome $25", amount_off=2500, currency="USD")
        staff = User.objects.filter(username="billing").first()
        rng = random.Random(2026)
        invoices = 0
        for number, customer in enumerate(Customer.objects.live().order_by("id")[:40]):
            currency = customer.default_currency or "USD"
            rate = rates.get(customer.address_country)
            if rate:
                customer.default_tax_rates.add(rate)
            unit = 10 ** precision(currency)
            for _ in range(rng.randint(1, 4)):
                services.item_add(
                    customer=customer,
                    description=rng.choice(PRODUCTS),
                    quantity=rng.randint(1, 5),
                    unit_amount=rng.randint(20, 900) * unit,
                    currency=currency,
                )
            if number % 4 == 3:
                continue  # leave its items pending
            invoice = services.invoice_create(
                customer=customer, currency=currency, created_by=staff
            )
            invoices += 1
            if number % 5 == 0:
                continue  # a draft
            invoice = services.invoice_finalize(invoice=invoice)
            if invoice.status == InvoiceStatus.OPEN and number % 3 == 0:
                invoice = services.invoice_mark_paid(invoice=invoice)
            if number % 6 == 0 and invoice.creditable_amount:
                part = max(invoice.creditable_amount // 4, 1)
                paid = invoice.status == InvoiceStatus.PAID
                services.credit_note_issue(
                    invoice=invoice,
                    reason=CreditNoteReason.ORDER_CHANGE,
                    amount=part,
                    credit_amount=part if paid else 0,
                    created_by=staff,
                )
        self.stdout.write(f"Added {invoices} demo invoices and their items.")
