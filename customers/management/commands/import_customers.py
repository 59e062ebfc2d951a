"""Imports customers from a CSV or XLSX file as the Import page does, in one pass: every
row is checked, then every row or none is written (or, with --valid-only, every valid
row). --check-only stops after the check."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from customers.imports.services import ImportRefused, import_apply, import_check, import_create
from customers.models import CustomerImport

ERRORS_SHOWN = 50


class ProgressBar:
    """One line on stderr, redrawn with \\r: `Checking  [#####.....]  4,000/10,000 rows`."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.drawn = False

    def __call__(self, step, done, total):
        if step != "checking":  # saving: one transaction, no steps to show
            self.end()
            return
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\rChecking  [{bar}]  {done:,}/{total:,} rows", ending="")
        self.stream.flush()
        self.drawn = True

    def end(self):
        if self.drawn:
            self.stream.write("")  # the newline that ends the bar's line
            self.drawn = False


class Command(BaseCommand):
    help = "Import customers from a CSV or XLSX file (our export or a Stripe customer export)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--match-email",
            action="store_true",
            help="Rows without an ID update the customer with the same account email.",
        )
        parser.add_argument(
            "--valid-only", action="store_true", help="Import the valid rows, skip the others."
        )
        parser.add_argument(
            "--check-only", action="store_true", help="Check the file; import nothing."
        )
        parser.add_argument("--user", help="The username the import is recorded under.")

    def handle(self, *args, file, match_email, valid_only, check_only, user, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        if user:
            User = get_user_model()
            try:
                user = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(f"No user has the username {user}.") from None
        customer_import = import_create(
            data=data, file_name=path.name, user=user or None, match_by_email=match_email
        )
        bar = ProgressBar(self.stderr)
        refused = None
        try:
            if check_only:
                import_check(customer_import, progress=bar)
            else:
                # One pass: the import checks every row itself, then writes all or none.
                created, updated = import_apply(
                    customer_import, valid_rows_only=valid_only, progress=bar
                )
        except ImportRefused as error:
            refused = error
        finally:
            bar.end()
        if customer_import.status == CustomerImport.Status.FAILED:
            raise CommandError(f"{path.name}: {customer_import.failure}")
        self.write_summary(customer_import)
        if refused:
            raise CommandError(f"{refused} Fix them or pass --valid-only.")
        if not check_only:
            self.stdout.write(
                self.style.SUCCESS(f"Imported: {created:,} created, {updated:,} updated.")
            )

    def write_summary(self, customer_import):
        self.stdout.write(f"To create: {customer_import.to_create:,}")
        self.stdout.write(f"To update: {customer_import.to_update:,}")
        self.stdout.write(f"Unchanged: {customer_import.unchanged:,}")
        self.stdout.write(f"Invalid:   {customer_import.invalid:,}")
        if customer_import.ignored_columns:
            ignored = ", ".join(customer_import.ignored_columns)
            self.stdout.write(f"Ignored columns: {ignored}")
        errors = customer_import.errors
        for error in errors[:ERRORS_SHOWN]:
            where = f"line {error['line']}" + (f", {error['column']}" if error["column"] else "")
            self.stdout.write(f"{where}: {error['message']}")
        if len(errors) > ERRORS_SHOWN:
            self.stdout.write(f"… and {len(errors) - ERRORS_SHOWN:,} more errors.")
