"""Background jobs (django-tasks; `make run` starts the worker): checking and importing
large customer files. Small files are handled within the request instead."""

from contextlib import suppress

from django_tasks import task

from .imports.services import ImportRefused, import_apply, import_check
from .models import CustomerImport


@task()
def check_customer_import(import_id):
    import_check(CustomerImport.objects.get(pk=import_id))


@task()
def apply_customer_import(import_id, valid_rows_only):
    record = CustomerImport.objects.get(pk=import_id)
    with suppress(ImportRefused):  # the record says why, and its page shows it
        import_apply(record, valid_rows_only=valid_rows_only)
