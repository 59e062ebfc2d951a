"""API keys from the command line: `create` one (its secret is printed once), `list` them,
`revoke` one. The same functions as the admin's (api/keys.py)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api.backends import ACTOR_USERNAME_PREFIX
from api.keys import KEY_PREFIX, api_key_create, api_key_revoke
from api.models import ApiKey


class Command(BaseCommand):
    help = "Create, list or revoke the secret keys other systems call /v1/ with."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a key; its secret is shown once.")
        create.add_argument("--name", required=True, help="What uses it, like 'Signup flow'.")
        acts_as = create.add_mutually_exclusive_group(required=True)
        acts_as.add_argument("--role", help='The role it acts as, like "Billing staff".')
        acts_as.add_argument("--user", help="Or the username of the user it acts as.")
        actions.add_parser("list", help="Every key, revoked ones too.")
        revoke = actions.add_parser("revoke", help="Refuse a key from now on.")
        revoke.add_argument("key", help="Its prefix (sk_test_abcd, or sk_test_abcd…wxyz) or ID.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            self.create(options["name"], options["role"], options["user"])
        elif action == "list":
            self.list_keys()
        else:
            self.revoke(options["key"])

    def create(self, name: str, role_name: str | None, username: str | None) -> None:
        role = user = None
        if role_name is not None:
            role = Group.objects.filter(name=role_name).first()
            if role is None:
                roles = ", ".join(Group.objects.order_by("name").values_list("name", flat=True))
                raise CommandError(f"No role named {role_name!r}. The roles: {roles}.")
        else:
            user = get_user_model().objects.filter(username=username).first()
            if user is None or username.startswith(ACTOR_USERNAME_PREFIX):  # type: ignore[union-attr]
                raise CommandError(f"No user named {username!r}.")
            if not user.is_active:
                raise CommandError(f"The user {username!r} is inactive: the key could do nothing.")
        key, secret = api_key_create(name=name, role=role, user=user)
        self.stdout.write(f"Created the API key {key.name!r} ({_acts_as(key)}):")
        self.stdout.write(secret)
        self.stdout.write(
            self.style.WARNING("Copy it now: it is not stored and can't be shown again.")
        )

    def list_keys(self) -> None:
        keys = ApiKey.objects.select_related("role", "user")
        rows = [("Name", "Key", "Acts as", "Created", "Last used", "Revoked")]
        rows += [
            (
                key.name,
                key.redacted,
                _acts_as(key),
                _when(key.created),
                _when(key.last_used_at, "never"),
                _when(key.revoked_at, "-"),
            )
            for key in keys
        ]
        if len(rows) == 1:
            self.stdout.write("No API keys.")
            return
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )

    def revoke(self, given: str) -> None:
        key = _find(given)
        if key.is_revoked:
            self.stdout.write(f"The API key {key} was already revoked on {_when(key.revoked_at)}.")
            return
        api_key_revoke(key=key)
        self.stdout.write(f"Revoked the API key {key}: it is refused from now on.")


def _find(given: str) -> ApiKey:
    """The key with this ID, prefix or redacted form (the prefix, "…", the last four)."""
    if given.isdigit():
        keys = list(ApiKey.objects.filter(pk=int(given)))
    else:
        prefix, _, last4 = given.partition("…")
        if not prefix.startswith(KEY_PREFIX):
            raise CommandError(f"Give a key's ID or its prefix, like {KEY_PREFIX}abcd.")
        found = ApiKey.objects.filter(prefix=prefix[: len(KEY_PREFIX) + 4])
        keys = list(found.filter(last4=last4) if last4 else found)
    if not keys:
        raise CommandError(f"No API key {given}.")
    if len(keys) > 1:
        shown = ", ".join(f"{key.pk} ({key})" for key in keys)
        raise CommandError(f"Several keys match {given}; give one's ID: {shown}.")
    return keys[0]


def _acts_as(key: ApiKey) -> str:
    if key.role is not None:
        return f"role {key.role.name}"
    return f"user {key.user.get_username()}"  # type: ignore[union-attr]


def _when(moment: Any, empty: str = "") -> str:
    if moment is None:
        return empty
    return str(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"))
