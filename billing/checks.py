"""`manage.py check --deploy`: invoice emails need a mail server in production."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

# Backends that deliver nothing to anybody: fine for development, a silent loss in production.
NOT_SENDING = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@checks.register(checks.Tags.compatibility, deploy=True)
def check_email_is_sent(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.EMAIL_BACKEND in NOT_SENDING:
        problems.append(
            checks.Warning(
                "Invoice emails are not sent: they are written to files or dropped.",
                hint="Set EMAIL_URL (smtp://…) or EMAIL_HOST in the environment.",
                id="billing.W001",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        problems.append(
            checks.Warning(
                f"Invoice emails would be sent from {settings.DEFAULT_FROM_EMAIL}.",
                hint="Set DEFAULT_FROM_EMAIL to the address your customers should see.",
                id="billing.W002",
            )
        )
    return problems
