"""The view chores every app's views share, one helper each: a page or its fragment,
a dialog and its 422 re-render, "done", a refusal, and an export's refusal.

The convention for "done": a dialog's successful htmx POST closes the dialog, shows a
message and fires an event (`customersChanged`, `balanceChanged`, `invoiceChanged`…);
the section that shows what changed refreshes itself on it with
`hx-trigger="<event> from:body"`. Without JavaScript the same POST redirects to the
page, the message flashed."""

from typing import Any, Protocol, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    trigger_client_event,
)
from django_htmx.middleware import HtmxDetails

from .forms import validation_messages


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware: every request does, but
    the middleware sets `htmx` at run time, so HttpRequest's type does not show it."""

    htmx: HtmxDetails


class HasPage(Protocol):
    """A model instance with a page of its own (a customer, an invoice)."""

    def get_absolute_url(self) -> str: ...


def is_fragment(request: HttpRequest) -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    htmx = cast(HtmxHttpRequest, request).htmx
    return bool(htmx) and not htmx.history_restore_request


def render_dialog(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A dialog is a fragment for htmx, and a plain page without JavaScript."""
    context = {**context, "dialog_template": template, "action": request.get_full_path()}
    if is_fragment(request):
        return render(request, template, context, status=status)
    return render(request, "dialog_page.html", context, status=status)


def render_form_dialog(
    request: HttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A form's dialog: 200 when asked for, 422 when a POST comes back with errors (a
    valid POST has answered before), so htmx swaps the errors in and tests can tell."""
    status = 422 if request.method == "POST" else 200
    return render_dialog(request, template, context, status)


def add_service_error(form: BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form, in sentences, the input kept: an error naming
    one of the form's fields beside that field (a refund over the limit), the rest at
    the top (a service may name a field the form does not have)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, validation_messages(error))
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        form.add_error(target, validation_messages(ValidationError(errors)))


def dialog_done(changed_event: str, message: str) -> HttpResponse:
    """The answer to a dialog's successful htmx POST: close it, tell the page what
    changed (it refreshes that part) and show a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "closeDialog")
    trigger_client_event(response, changed_event)
    trigger_client_event(response, "showMessage", {"text": message})
    return response


def done(
    request: HttpRequest, message: str, fallback: HasPage | str, *, event: str | None = None
) -> HttpResponse:
    """A dialog's success. htmx: `event` tells the page which section to refresh; no
    event means the whole page changed (a customer's profile shows in every part of
    it), so it reloads. Without htmx: a redirect to `fallback`, the message flashed."""
    if is_fragment(request) and event:
        return dialog_done(event, message)
    messages.success(request, message)
    if is_fragment(request):
        return HttpResponseClientRefresh()
    return redirect(fallback)


def go_to(request: HttpRequest, target: HasPage | str, message: str | None = None) -> HttpResponse:
    """A success that leaves the page (a new invoice, a deleted customer): htmx
    navigates there, a plain form redirects. `target` is a model or a URL."""
    if message:
        messages.success(request, message)
    url = target if isinstance(target, str) else target.get_absolute_url()
    if is_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def message_only(message: str, level: str = "error") -> HttpResponse:
    """An htmx answer that changes nothing on the page but shows a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "showMessage", {"text": message, "level": level})
    return response


def refuse(
    request: HttpRequest, error: ValidationError | str, fallback: HasPage | str
) -> HttpResponse:
    """A service's refusal of an action that has no form to show it (a row's Remove):
    a message, the page unchanged."""
    text = error if isinstance(error, str) else " ".join(validation_messages(error))
    if is_fragment(request):
        return message_only(text)
    messages.error(request, text)
    return redirect(fallback)


def export_refused(
    request: HttpRequest, message: str = "Fix the filters before exporting."
) -> HttpResponse:
    """An export whose filters do not validate: 400, with the reason."""
    return render(request, "_error.html", {"errors": [message]}, status=400)
