"""`manage.py backup PATH`: a consistent snapshot of the database while the app runs."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database to PATH (SQLite's online backup API, "
        "or pg_dump's custom format), safe while the app keeps writing. Mode 0600."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file to write (replaced).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["path"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path}: {result.size:,} bytes in {result.seconds:.1f} s."
            )
        )
