from django.core.management.base import BaseCommand, CommandError

from ledger.models import BalanceTransaction, CustomerBalance
from ledger.verify import ledger_problems


class Command(BaseCommand):
    help = "Recompute every credit balance from its transactions; exit 1 on any mismatch."

    def handle(self, *args, **options):
        problems = 0
        for problem in ledger_problems():
            problems += 1
            self.stderr.write(problem)
        transactions = BalanceTransaction.objects.count()
        balances = CustomerBalance.objects.count()
        if problems:
            raise CommandError(f"{problems} problem(s) in {transactions:,} transactions.")
        self.stdout.write(
            self.style.SUCCESS(f"Ledger OK: {transactions:,} transactions, {balances:,} balances.")
        )
