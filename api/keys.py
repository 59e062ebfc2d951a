"""Making, finding and revoking API keys. A key is `sk_test_` and 40 random characters
(livemode is always false here, as in Stripe's test mode); the database keeps its SHA-256,
which is enough for a random secret of that length, and its first and last characters so
people can tell keys apart."""

import hashlib
import string

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from activity import services as activity
from core.ids import random_strings

from .models import ApiKey

KEY_PREFIX = "sk_test_"
ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 40


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    name: str,
    role: Group | None = None,
    user: User | None = None,
    created_by: User | None = None,
) -> tuple[ApiKey, str]:
    """A new key acting as `role` or `user` (one of them); returns it with the secret, which
    is not kept anywhere and can't be shown again."""
    if role is not None and user is None:
        acts_as = f"role {role.name}"
    elif user is not None and role is None:
        acts_as = f"user {user.get_username()}"
    else:
        raise ValueError("An API key acts as a role or as a user: give one of them.")
    random_part, account_part = random_strings(ALPHABET, RANDOM_LENGTH, 2)
    secret = KEY_PREFIX + random_part
    prefix = secret[: len(KEY_PREFIX) + 4]
    # Changes made with the key are attributed to an account of its own: it has no
    # password, so nobody signs in with it.
    actor = get_user_model().objects.create_user(
        # Named by a random string of its own: none of the secret is kept in clear.
        username=f"api-key-{account_part[:12]}",
        first_name=f"API key {name}"[:150],
    )
    if role is not None:
        actor.groups.add(role)
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        last4=secret[-4:],
        key_hash=hash_key(secret),
        role=role,
        user=user,
        actor=actor,
        created_by=created_by,
    )
    _record("api_key.created", key, acts_as=acts_as)
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> None:
    """From now on the key is refused (401). Its record stays, for what it changed. Its
    account loses its role too: Django's permission backends only add permissions, so
    nothing else could take the role's permissions away (api/backends.py gives a user key's
    account its user's permissions only while the key is active)."""
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key.refresh_from_db(fields=["revoked_at"])
    key.actor.groups.clear()
    key.actor.user_permissions.clear()
    if revoked:  # not again for a key revoked already
        _record("api_key.revoked", key)


@transaction.atomic
def api_key_rename(*, key: ApiKey, name: str) -> None:
    """Rename the key (what uses it); its secret and account stay."""
    old = ApiKey.objects.select_for_update().values_list("name", flat=True).get(pk=key.pk)
    key.name = name
    key.save(update_fields=["name"])
    if changes := activity.changes({"name": old}, {"name": name}, {"name": "Name"}):
        _record("api_key.updated", key, changes=changes)


def _record(kind: str, key: ApiKey, **data: object) -> None:
    """An entry naming the key as people see it: never its secret, which is not kept."""
    activity.record(
        kind, object_id=key.redacted, data={"name": key.name, "key": key.redacted, **data}
    )


def api_key_find(secret: str) -> ApiKey | None:
    """The active key with this secret, or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    # A key acting as a user who was deactivated stops working with them.
    return (
        ApiKey.objects.active()
        .select_related("actor", "user", "role")
        .filter(Q(user__isnull=True) | Q(user__is_active=True), key_hash=hash_key(secret))
        .first()
    )
