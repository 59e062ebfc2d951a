from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor as an app only so Django finds its template tags; it has no models."""

    name = "core"
