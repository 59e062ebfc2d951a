"""Global search: one URL for the search page, the dialog the top bar's Search button
(or `/`, Ctrl-K) opens, and the results the dialog refreshes as the user types."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from core.htmx import is_fragment

from ..search import SHOWN, SHOWN_ON_PAGE, global_search

RESULTS_ID = "search-results"


@login_required
@vary_on_headers("HX-Request", "HX-Target", "HX-Current-URL")
def search(request):
    text = request.GET.get("q", "")
    fragment = is_fragment(request)
    # The page lists more of each kind than the dialog, also as it refreshes its results.
    on_page = not fragment or (request.htmx.current_url_abs_path or "").startswith(
        reverse("billing:search")
    )
    limit = SHOWN_ON_PAGE if on_page else SHOWN
    context = {"results": global_search(text=text, user=request.user, limit=limit)}
    if not fragment:
        return render(request, "billing/search.html", context)
    if request.htmx.target == RESULTS_ID:
        return render(request, "billing/search.html#results", context)
    return render(request, "billing/_search_dialog.html", context)
