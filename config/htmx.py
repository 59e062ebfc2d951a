"""The one-URL-two-renderings convention shared by the apps' views."""

from django.shortcuts import render


def is_fragment(request):
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_dialog(request, template, context, status=200):
    """A dialog is a fragment for htmx, and a plain page without JavaScript."""
    context = {**context, "dialog_template": template, "action": request.get_full_path()}
    if is_fragment(request):
        return render(request, template, context, status=status)
    return render(request, "dialog_page.html", context, status=status)
