"""Demo credit balances for `make run` (after seed_demo): some customers with credits,
some owing, a reversal. Skipped when the ledger already has transactions."""

import random

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from core.money import precision
from customers.models import Customer
from ledger.models import BalanceTransaction
from ledger.services import balance_adjust, transaction_reverse


class Command(BaseCommand):
    help = "Post demo balance adjustments (skipped when the ledger has transactions)."

    def handle(self, *args, **options):
        if BalanceTransaction.objects.exists():
            self.stdout.write("Balance transactions already exist; demo balances not added.")
            return
        rng = random.Random(2026)
        staff = User.objects.filter(username="billing").first()
        posted = 0
        for number, customer in enumerate(Customer.objects.live().order_by("id")):
            if number % 3:
                continue
            currency = customer.default_currency or "USD"
            unit = 10 ** precision(currency)
            amount = rng.randint(5, 500) * unit * (-1 if number % 2 == 0 else 1)
            adjustment = balance_adjust(
                customer=customer,
                amount=amount,
                currency=currency,
                internal_note=rng.choice(["Goodwill credit", "Late delivery", "Manual fee"]),
                created_by=staff,
            )
            posted += 1
            if number % 9 == 0:
                transaction_reverse(original=adjustment, created_by=staff)
                balance_adjust(customer=customer, amount=amount // 2 or amount,
                               currency=currency, created_by=staff)  # fmt: skip
                posted += 2
        self.stdout.write(f"Posted {posted} demo balance transactions.")
