from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor as an app so Django finds its template tags, the run_worker command
    and its one model, the workers' heartbeat (core/models.py)."""

    name = "core"
