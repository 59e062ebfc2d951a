from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from .backends import ACTOR_USERNAME_PREFIX
from .keys import api_key_create, api_key_rename, api_key_revoke
from .models import ApiKey


class ApiKeyAddForm(forms.ModelForm):
    """A name and what the key acts as: a role or a user, one of them."""

    class Meta:
        model = ApiKey
        fields = ["name", "role", "user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Another key's account is no user to act as, nor is one who can't sign in.
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(is_active=True)
            .exclude(username__startswith=ACTOR_USERNAME_PREFIX)
            .order_by("username")
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # On the field, not the form: the model's role-or-user constraint is then not
        # checked again with its own, vaguer message.
        if cleaned.get("role") and cleaned.get("user"):
            self.add_error("user", "Choose a role or a user, not both.")
        elif not cleaned.get("role") and not cleaned.get("user") and not self.errors:
            self.add_error("user", "Choose the role or the user the key acts as.")
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by api_key_create (the secret is shown once, on the page answering
    the add form) and revoked, never deleted: what they changed points at their account."""

    list_display = ["name", "redacted", "acts_as", "created", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "role"]
    search_fields = ["name", "=prefix"]
    actions = ["revoke"]
    readonly_fields = [
        "redacted", "role", "user", "actor", "created", "created_by", "last_used_at",
        "revoked_at",
    ]  # fmt: skip

    @admin.display(description="key")
    def redacted(self, key: ApiKey) -> str:
        return key.redacted

    @admin.display(description="acts as")
    def acts_as(self, key: ApiKey) -> str:
        return f"Role: {key.role}" if key.role_id else f"User: {key.user}"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is None:
            return ["name", "role", "user"]
        return ["name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:  # only the name can change
            api_key_rename(key=obj, name=obj.name)
            return
        key, secret = api_key_create(
            name=obj.name,
            role=obj.role,
            user=obj.user,
            created_by=cast(User, request.user),  # signed in: the admin lets no one else in
        )
        obj.pk = key.pk
        obj.refresh_from_db()
        # Shown by response_add on the answer to this very request, and kept nowhere: not in
        # a message, which would travel in a cookie or sit in the session.
        request.api_key_secret = secret  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: Any = None) -> Any:
        context = {**self.admin_site.each_context(request), "key": obj,
                   "secret": request.api_key_secret}  # type: ignore[attr-defined]  # fmt: skip
        response = TemplateResponse(request, "admin/api/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected API keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {len(keys)} API keys.", messages.SUCCESS)
