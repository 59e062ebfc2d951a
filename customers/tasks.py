"""Background jobs (django-tasks; `make run` starts the worker): checking and importing
large customer files. Small files are handled within the request instead."""

from contextlib import nullcontext, suppress

from django.contrib.auth import get_user_model
from django_tasks import task

from activity.context import acting
from activity.kinds import Source

from .imports.services import ImportRefused, import_apply, import_check
from .models import CustomerImport


@task()
def check_customer_import(import_id):
    import_check(CustomerImport.objects.get(pk=import_id))


@task()
def apply_customer_import(import_id, valid_rows_only, confirmed_by_id=None):
    """`confirmed_by_id`: the user who pressed Import, whose changes the import's are."""
    record = CustomerImport.objects.get(pk=import_id)
    confirmed_by = get_user_model().objects.filter(pk=confirmed_by_id).first()
    door = acting(Source.IMPORT, user=confirmed_by) if confirmed_by else nullcontext()
    with door, suppress(ImportRefused):
        # The record says why it was refused, and its page shows it.
        import_apply(record, valid_rows_only=valid_rows_only)
