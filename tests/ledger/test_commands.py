import io

import pytest
from django.core.management import call_command

from ledger.models import BalanceTransaction, CustomerBalance
from ledger.verify import ledger_problems

pytestmark = pytest.mark.django_db


def test_demo_balances_are_varied_consistent_and_added_once():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo_ledger", stdout=io.StringIO())
    assert BalanceTransaction.objects.filter(reverses__isnull=False).exists()
    assert CustomerBalance.objects.filter(amount__lt=0).exists()
    assert CustomerBalance.objects.filter(amount__gt=0).exists()
    assert list(ledger_problems()) == []
    count = BalanceTransaction.objects.count()
    call_command("seed_demo_ledger", stdout=io.StringIO())
    assert BalanceTransaction.objects.count() == count
