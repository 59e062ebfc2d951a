"""What an activity entry can record, by kind ("customer.updated"), the groups the
Activity sections filter by, and where a change came from. No models here: manage.py
imports it before Django is set up."""

from django.db.models import TextChoices


class Source(TextChoices):
    PAGE = "page", "Page"
    ADMIN = "admin", "Admin"
    API = "api", "API"
    IMPORT = "import", "Import"
    COMMAND = "command", "Command"
    WORKER = "worker", "Background worker"


KINDS = {
    "customer.created": "Customer created",
    "customer.updated": "Customer updated",
    "customer.deleted": "Customer deleted",
    "customer.restored": "Customer restored",
    "customer.tax_id.created": "Tax ID added",
    "customer.tax_id.deleted": "Tax ID removed",
    "balance_transaction.created": "Balance transaction",
    "balance_transaction.updated": "Balance transaction edited",
    "invoiceitem.created": "Pending item added",
    "invoiceitem.updated": "Pending item changed",
    "invoiceitem.deleted": "Pending item removed",
    "invoice.created": "Invoice created",
    "invoice.updated": "Invoice updated",
    "invoice.deleted": "Draft invoice deleted",
    "invoice.finalized": "Invoice finalized",
    "invoice.paid": "Invoice paid",
    "invoice.voided": "Invoice voided",
    "invoice.marked_uncollectible": "Invoice marked uncollectible",
    "credit_note.created": "Credit note issued",
    "credit_note.voided": "Credit note voided",
    "email.queued": "Email queued",
    "email.sent": "Email sent",
    "email.failed": "Email failed",
    "import.finished": "Customers imported",
    "api_key.created": "API key created",
    "api_key.updated": "API key renamed",
    "api_key.revoked": "API key revoked",
}

GROUPS = {
    "customer": ("Customer", ["customer."]),
    "balance": ("Credit balance", ["balance_transaction."]),
    "invoice": ("Invoices", ["invoice.", "invoiceitem."]),
    "credit_note": ("Credit notes", ["credit_note."]),
    "email": ("Emails", ["email."]),
    "import": ("Imports", ["import."]),
    "api_key": ("API keys", ["api_key."]),
}


def kinds_in_group(group: str) -> list[str]:
    """The kinds of a group of GROUPS; [] for an unknown group."""
    _, prefixes = GROUPS.get(group, ("", []))
    return [kind for kind in KINDS if kind.startswith(tuple(prefixes))]
