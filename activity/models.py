"""The activity trail: one append-only entry per change, whoever made it and however.

Written only through activity.services, in the transaction of the change it records, by
the services of the apps above (which see every write). It names customers and invoices by
their public IDs, not foreign keys, so it outlives them and sits below every app."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .kinds import KINDS, Source


class Entry(models.Model):
    created = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=48, choices=list(KINDS.items()))
    # Public IDs ("cus_…", "in_…"): kept when the customer is deleted.
    customer = models.CharField(max_length=40, blank=True)
    invoice = models.CharField(max_length=40, blank=True)
    # What changed: the customer, invoice, credit note, balance transaction, email, import…
    object_id = models.CharField("object", max_length=64, blank=True)
    # What the entry needs to be read on its own: {"changes": [{"field", "label", "old",
    # "new"}], "number", "amount", "currency", …}; see templates/activity/list.html#entries.
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Who: the signed-in user or an API key's own account. No database constraint, so a
    # removed user leaves the entry as it was; `actor` keeps their name as it was then.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)

    class Meta:
        verbose_name = "activity entry"
        verbose_name_plural = "activity"
        ordering = ["-id"]
        permissions = [("export_entry", "Can export activity")]
        indexes = [
            models.Index(fields=["customer", "-id"], name="activity_customer",
                         condition=~Q(customer="")),
            models.Index(fields=["invoice", "-id"], name="activity_invoice",
                         condition=~Q(invoice="")),
            models.Index(fields=["object_id", "-id"], name="activity_object",
                         condition=~Q(object_id="")),
            # The whole trail (and the admin's list) filtered by kind.
            models.Index(fields=["kind", "-id"], name="activity_kind"),
            # Support looks up what someone did (the admin's search).
            models.Index(fields=["actor", "-id"], name="activity_actor", condition=~Q(actor="")),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} ({self.object_id or self.customer})"
