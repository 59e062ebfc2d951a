"""Queues the invoice reminders due today (billing.services.reminders). Safe to run every
few minutes, from cron or a systemd timer, on one machine or several: each reminder is
sent once."""

from django.core.management.base import BaseCommand

from billing.services.reminders import send_reminders


class Command(BaseCommand):
    help = "Queue the reminder emails of open invoices due soon or overdue (each once)."

    def handle(self, *args, **options):
        queued = send_reminders()
        self.stdout.write(f"Queued {queued} reminder{'' if queued == 1 else 's'}.")
