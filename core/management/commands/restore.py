"""`manage.py restore PATH`: load a backup into an empty database, then check the ledger."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, restore, row_counts


class Command(BaseCommand):
    help = (
        "Load a backup written by `backup` into this (empty) database, then run "
        "verify_ledger and print the row counts. Refuses a database with customers or "
        "ledger rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file to load.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seconds = restore(options["path"])
            counts = row_counts()
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {options['path']} in {seconds:.1f} s.")
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count:,}")
        # By name: core imports no app. Raises CommandError (exit 1) on any problem.
        call_command("verify_ledger", stdout=self.stdout, stderr=self.stderr)
