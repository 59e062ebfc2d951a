"""Queues the invoice reminders due today (billing.services.reminders), and marks Failed
the emails a stopped worker left Sending. Safe to run every few minutes, from cron or a
systemd timer, on one machine or several: each reminder is sent once."""

from django.core.management.base import BaseCommand

from billing.services.emails import emails_fail_stalled
from billing.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminder emails of open invoices due soon or overdue (each once), and "
        "mark failed the emails a stopped worker left sending."
    )

    def handle(self, *args, **options):
        if stalled := emails_fail_stalled():
            self.stdout.write(
                f"Marked {stalled} email{'' if stalled == 1 else 's'} failed: "
                f"{'its worker' if stalled == 1 else 'their workers'} stopped while sending "
                f"{'it' if stalled == 1 else 'them'}."
            )
        queued = send_reminders()
        self.stdout.write(f"Queued {queued} reminder{'' if queued == 1 else 's'}.")
