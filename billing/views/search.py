"""Global search: one URL for the search page, the dialog the top bar's Search button
(or `/`, Ctrl-K) opens, and the results the page or the dialog refreshes as the user types."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from core.htmx import is_fragment

from ..search import SHOWN, SHOWN_ON_PAGE, global_search

# The page's and the dialog's element ids begin with these, so that the two never share
# an id (the top bar's Search button works on every page): "search-results", ...
PAGE, DIALOG = "search", "search-dialog"


@login_required
@vary_on_headers("HX-Request", "HX-Target")
def search(request):
    text = request.GET.get("q", "")
    fragment = is_fragment(request)
    target = request.htmx.target if fragment else None
    scope = PAGE if not fragment or target == f"{PAGE}-results" else DIALOG
    # The page lists more of each kind than the dialog, also as it refreshes its results.
    limit = SHOWN_ON_PAGE if scope == PAGE else SHOWN
    context = {
        "results": global_search(text=text, user=request.user, limit=limit),
        "scope": scope,
        "refresh": target == f"{scope}-results",
    }
    if not fragment:
        return render(request, "billing/search.html", context)
    if context["refresh"]:
        return render(request, "billing/search.html#results", context)
    return render(request, "billing/_search_dialog.html", context)
