"""The view chores every app's views share, one helper each: a page or its fragment,
a dialog and its 422 re-render, "done", a refusal, and an export's refusal.

The convention for "done": a dialog's successful htmx POST closes the dialog, shows a
message and fires an event (`customersChanged`, `balanceChanged`, `invoiceChanged`…);
the section that shows what changed refreshes itself on it with
`hx-trigger="<event> from:body"`. Without JavaScript the same POST redirects to the
page, the message flashed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    trigger_client_event,
)

from .forms import validation_messages


def is_fragment(request):
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_dialog(request, template, context, status=200):
    """A dialog is a fragment for htmx, and a plain page without JavaScript."""
    context = {**context, "dialog_template": template, "action": request.get_full_path()}
    if is_fragment(request):
        return render(request, template, context, status=status)
    return render(request, "dialog_page.html", context, status=status)


def render_form_dialog(request, template, context):
    """A form's dialog: 200 when asked for, 422 when a POST comes back with errors (a
    valid POST has answered before), so htmx swaps the errors in and tests can tell."""
    status = 422 if request.method == "POST" else 200
    return render_dialog(request, template, context, status)


def add_service_error(form, error: ValidationError) -> None:
    """A service's refusal at the top of the form, in sentences."""
    form.add_error(None, validation_messages(error))


def dialog_done(changed_event, message):
    """The answer to a dialog's successful htmx POST: close it, tell the page what
    changed (it refreshes that part) and show a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "closeDialog")
    trigger_client_event(response, changed_event)
    trigger_client_event(response, "showMessage", {"text": message})
    return response


def done(request, message, fallback, *, event=None):
    """A dialog's success. htmx: `event` tells the page which section to refresh; no
    event means the whole page changed (a customer's profile shows in every part of
    it), so it reloads. Without htmx: a redirect to `fallback`, the message flashed."""
    if is_fragment(request) and event:
        return dialog_done(event, message)
    messages.success(request, message)
    if is_fragment(request):
        return HttpResponseClientRefresh()
    return redirect(fallback)


def go_to(request, target, message=None):
    """A success that leaves the page (a new invoice, a deleted customer): htmx
    navigates there, a plain form redirects. `target` is a model or a URL."""
    if message:
        messages.success(request, message)
    url = target if isinstance(target, str) else target.get_absolute_url()
    if is_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def message_only(message, level="error"):
    """An htmx answer that changes nothing on the page but shows a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "showMessage", {"text": message, "level": level})
    return response


def refuse(request, error: ValidationError | str, fallback):
    """A service's refusal of an action that has no form to show it (a row's Remove):
    a message, the page unchanged."""
    text = error if isinstance(error, str) else " ".join(validation_messages(error))
    if is_fragment(request):
        return message_only(text)
    messages.error(request, text)
    return redirect(fallback)


def export_refused(request, message="Fix the filters before exporting."):
    """An export whose filters do not validate: 400, with the reason."""
    return render(request, "_error.html", {"errors": [message]}, status=400)
