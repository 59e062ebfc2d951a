import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.ids import new_public_id


# Migrations name this default as customers.models.new_import_id: the package
# re-exports it, so keep that name importable there.
def new_import_id():
    return new_public_id("imp_")


class CustomerImport(models.Model):
    """An upload of customers from a CSV or XLSX file: checked first (nothing written),
    then imported all at once on confirmation. The record stays as the audit trail;
    the file itself is dropped once the import is over."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    public_id = models.CharField(
        "ID", max_length=40, unique=True, default=new_import_id, editable=False
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(editable=False, default=b"")
    match_by_email = models.BooleanField(
        "match customers by email", default=False,
        help_text="Rows without an ID update the customer with the same account email.",
    )  # fmt: skip
    valid_rows_only = models.BooleanField("import the valid rows only", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # progress of the current step
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    errors = models.JSONField(default=list, blank=True)  # the first ERRORS_KEPT row errors
    ignored_columns = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)  # why the file could not be read or imported
    # The running step's last report; None while it waits for the worker to start it.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ERRORS_KEPT = 1000
    # Reading the file reports progress every 2,000 rows (well under a second apart);
    # then matching and saving 200,000 rows, one transaction, report nothing for about
    # a minute.
    STALLED_AFTER = datetime.timedelta(minutes=10)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.created:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("customers:import", args=[self.public_id])

    @property
    def is_running(self):
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING) and not self.stalled

    @property
    def stalled(self):
        """The worker or command running it was stopped: a killed import saves nothing,
        and nothing is left to mark the record."""
        return (
            self.status in (self.Status.CHECKING, self.Status.IMPORTING)
            and self.progress_at is not None
            and timezone.now() - self.progress_at > self.STALLED_AFTER
        )

    # What the page shows, by step (a stalled one shows as stopped before these).
    @property
    def is_checking(self):
        return self.status == self.Status.CHECKING

    @property
    def is_importing(self):
        return self.status == self.Status.IMPORTING

    @property
    def has_failed(self):
        return self.status == self.Status.FAILED

    @property
    def is_done(self):
        return self.status == self.Status.DONE

    @property
    def progress_percent(self):
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    def can_import(self, valid_rows_only):
        """Checked, and either every row is valid or staff chose the valid ones only."""
        return self.status == self.Status.CHECKED and (not self.invalid or valid_rows_only)
