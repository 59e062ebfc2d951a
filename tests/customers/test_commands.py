import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from customers.models import Customer, TaxId

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_varied_set_and_the_role_logins_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    customers = Customer.objects.all()
    assert customers.count() >= 60
    currencies = {c.default_currency for c in customers} - {""}
    locales = {tag for c in customers for tag in c.preferred_locales}
    assert len(currencies) >= 6 and len(locales) >= 6
    assert all(c.metadata and c.address_line1 for c in customers)
    assert TaxId.objects.count() >= 60
    for customer in customers:
        customer.full_clean()
    for username, role in (("billing", "Billing staff"), ("ops", "Ops"), ("support", "Support")):
        user = User.objects.get(username=username)
        assert user.groups.filter(name=role).exists() and user.check_password("billing-demo-2026")
    assert "password for each: billing-demo-2026" in out.getvalue()

    call_command("seed_demo", stdout=io.StringIO())
    assert Customer.objects.count() == customers.count()
