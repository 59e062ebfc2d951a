"""Field helpers every billing model shares: the link to a ledger transaction."""

from django.db import models

from ledger.models import BalanceTransaction


def ledger_link(related_name="+"):
    return models.ForeignKey(
        BalanceTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        editable=False,
    )
