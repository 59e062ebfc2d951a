"""The Home page: what is invoiced, collected and owed, per currency (billing/dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .. import dashboard
from .shared import VIEW_INVOICE


@login_required
def home(request):
    """Where signing in lands. Someone who may not see invoices starts on Customers."""
    if not request.user.has_perm(VIEW_INVOICE):
        return redirect("customers:list")
    return render(request, "billing/home.html", {"overviews": dashboard.overview()})
