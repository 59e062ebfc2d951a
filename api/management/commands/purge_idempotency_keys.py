"""Forgets the answers kept for Idempotency-Key retries once they are a day old (Stripe
keeps them at least 24 hours). Run it from cron, e.g. hourly."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from api.idempotency import purge_before

KEPT_FOR = timedelta(hours=24)


class Command(BaseCommand):
    help = "Delete the answers kept for Idempotency-Key retries that are over 24 hours old."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_before(timezone.now() - KEPT_FOR)
        self.stdout.write(f"Deleted {deleted} kept answers older than 24 hours.")
