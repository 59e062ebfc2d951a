from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_triggers(sender, using, **kwargs):
    from .triggers import install_triggers

    install_triggers(using)


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity"

    def ready(self):
        post_migrate.connect(_install_triggers, sender=self)
