"""The permissions of an API key's own account (its `actor`, which what the key changes is
attributed to). A role key's account is in the role's group, so Django's ModelBackend
answers for it. A user key's account has no group: this backend answers with the user's
permissions, so a service checking `created_by.has_perm(...)` with the actor sees what the
key may do. Only accounts named like an actor are looked up; other users cost no query."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import ApiKey

ACTOR_USERNAME_PREFIX = "api-key-"  # api/keys.py names each key's account so
_CACHE = "_api_key_user_cache"


class ApiKeyActorBackend:
    """Authenticates nobody; only answers has_perm for key accounts."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(
        self, user_obj: AbstractBaseUser | AnonymousUser, perm: str, obj: Any = None
    ) -> bool:
        user = self._key_user(user_obj)
        return user is not None and user.has_perm(perm, obj)

    def _key_user(self, user_obj: AbstractBaseUser | AnonymousUser) -> Any:
        """The active user whose permissions the account's active key has, or None. Kept on
        the account object for the request, as ModelBackend keeps its permissions."""
        username = getattr(user_obj, "username", "") or ""
        if not user_obj.is_active or not username.startswith(ACTOR_USERNAME_PREFIX):
            return None
        if not hasattr(user_obj, _CACHE):
            key = (
                ApiKey.objects.active()
                .filter(actor_id=user_obj.pk, user__isnull=False)
                .select_related("user")
                .first()
            )
            user = key.user if key is not None and key.user.is_active else None
            setattr(user_obj, _CACHE, user)
        return getattr(user_obj, _CACHE)
