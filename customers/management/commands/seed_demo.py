"""Demo data for `make run`: staff logins for each role and a few dozen customers."""

import random

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from customers.models import Customer
from customers.services import customer_create
from customers.tax_ids import TAX_ID_TYPES

DEMO_PASSWORD = "billing-demo-2026"
DEMO_USERS = {"billing": "Billing staff", "ops": "Ops", "support": "Support"}

# (country, currency, locales, city, state, postal code, tax ID type)
MARKETS = [
    ("US", "USD", ["en"], "San Francisco", "CA", "94107", "us_ein"),
    ("CA", "CAD", ["fr-CA", "en"], "Montréal", "QC", "H2X 1Y4", "ca_bn"),
    ("FR", "EUR", ["fr"], "Paris", "", "75002", "eu_vat"),
    ("DE", "EUR", ["de", "en"], "Berlin", "", "10115", "eu_vat"),
    ("JP", "JPY", ["ja"], "Tokyo", "Tokyo", "100-0005", "jp_cn"),
    ("KW", "KWD", ["ar", "en"], "Kuwait City", "", "13001", None),
    ("GB", "GBP", ["en-GB"], "London", "", "EC1A 1BB", "gb_vat"),
    ("BR", "BRL", ["pt-BR"], "São Paulo", "SP", "01310-100", "br_cnpj"),
    ("IL", "ILS", ["he", "en"], "Tel Aviv", "", "6100000", "il_vat"),
    ("MX", "MXN", ["es-419"], "Ciudad de México", "CDMX", "06600", "mx_rfc"),
]
FIRST = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Soylent",
         "Vandelay", "Tyrell", "Wonka", "Cyberdyne"]  # fmt: skip
SECOND = ["Corp", "Labs", "Industries", "Trading", "Studio", "GmbH", "SARL", "KK"]
TAX_EXAMPLES = {code: example for code, (_l, _m, _p, example) in TAX_ID_TYPES.items()}
VAT_BY_COUNTRY = {"FR": "FR61954506077", "DE": "DE136695976"}


class Command(BaseCommand):
    help = "Create demo logins and customers (skipped when customers already exist)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=72)

    @transaction.atomic
    def handle(self, *args, customers, **options):
        for username, role in DEMO_USERS.items():
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role))
        if Customer.objects.exists():
            self.stdout.write("Customers already exist; demo customers not added.")
        else:
            rng = random.Random(2026)
            for number in range(customers):
                _demo_customer(rng, number)
            self.stdout.write(f"Added {customers} demo customers.")
        self.stdout.write(
            self.style.SUCCESS(
                "Sign in as "
                + ", ".join(f"{u} ({r})" for u, r in DEMO_USERS.items())
                + f"; password for each: {DEMO_PASSWORD}"
            )
        )


def _demo_customer(rng, number):
    country, currency, locales, city, state, postal, tax_type = MARKETS[number % len(MARKETS)]
    company = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {number + 1}"
    slug = company.lower().replace(" ", "-")
    tax_ids = []
    if tax_type:
        value = VAT_BY_COUNTRY.get(country, TAX_EXAMPLES[tax_type])
        tax_ids.append({"type": tax_type, "value": value})
    fields = {
        "name": company,
        "email": f"billing@{slug}.example",
        "description": rng.choice(["Enterprise plan", "Startup", "Reseller", ""]),
        "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "address_line1": f"{rng.randint(1, 400)} Market Street",
        "address_city": city,
        "address_state": state,
        "address_postal_code": postal,
        "address_country": country,
        "preferred_locales": locales,
        "default_currency": currency if number % 7 else "",
        "tax_exempt": "reverse" if country in ("DE", "FR") and number % 3 == 0 else "none",
        "metadata": {"internal_id": str(10000 + number), "plan": rng.choice(["pro", "team"])},
    }
    return customer_create(
        fields=fields,
        tax_ids=tax_ids,
        contacts=[{"name": "Accounts payable", "email": f"ap@{slug}.example"}],
        aliases=[f"crm-{10000 + number}"],
    )
