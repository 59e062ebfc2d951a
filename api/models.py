"""API keys and the responses kept for idempotent retries."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A secret key another system calls /v1/ with. Only its SHA-256 is kept: the key is
    shown once, when made (api/keys.py). It acts with the permissions of a role or of a
    user; either way what it changes is attributed to its own account, `actor`."""

    name = models.CharField(max_length=100, help_text="What uses it, like “Signup flow”.")
    prefix = models.CharField(max_length=16, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    role = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The role whose permissions it has.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="Or the user whose permissions it has.",
    )
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The rate limit's count of requests in the current second (api/sql.py).
    rate_window = models.BigIntegerField(default=0, editable=False)
    rate_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__isnull=True, user__isnull=False)
                | Q(role__isnull=False, user__isnull=True),
                name="apikey_role_or_user",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.redacted})"

    @property
    def redacted(self):
        return f"{self.prefix}…{self.last4}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def has_perm(self, perm):
        return (self.user or self.actor).has_perm(perm)


class IdempotentRequest(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed for the same key and
    parameters (api/idempotency.py)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotentrequest_unique")
        ]
        indexes = [models.Index(fields=["created"], name="idempotentrequest_created")]

    def __str__(self):
        return self.key
