from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_triggers(sender, using, **kwargs):
    from .triggers import install_triggers

    install_triggers(using)


class LedgerConfig(AppConfig):
    name = "ledger"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)

        post_migrate.connect(_install_triggers, sender=self)
