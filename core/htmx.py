"""The one-URL-two-renderings convention shared by the apps' views."""

from django.http import HttpResponse
from django.shortcuts import render
from django_htmx.http import trigger_client_event


def is_fragment(request):
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_dialog(request, template, context, status=200):
    """A dialog is a fragment for htmx, and a plain page without JavaScript."""
    context = {**context, "dialog_template": template, "action": request.get_full_path()}
    if is_fragment(request):
        return render(request, template, context, status=status)
    return render(request, "dialog_page.html", context, status=status)


def dialog_done(changed_event, message):
    """The answer to a dialog's successful htmx POST: close it, tell the page what
    changed (it refreshes that part) and show a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "closeDialog")
    trigger_client_event(response, changed_event)
    trigger_client_event(response, "showMessage", {"text": message})
    return response


def message_only(message, level="error"):
    """An htmx answer that changes nothing on the page but shows a message."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "showMessage", {"text": message, "level": level})
    return response
