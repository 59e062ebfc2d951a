"""Sign-in throttling: the two hooks django-axes calls (settings: AXES_LOCKOUT_CALLABLE and
AXES_CLIENT_IP_CALLABLE)."""

import ipaddress
from urllib.parse import urlencode

from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response, credentials):
    """The page a locked-out sign-in gets, from the app's login and the admin's alike:
    what happened, for how long, and whom to ask."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    login_url = request.path
    if request.POST.get("next"):
        login_url += "?" + urlencode({"next": request.POST["next"]})
    context = {
        "username": get_client_username(request, credentials) or "",
        "minutes": minutes,
        "login_url": login_url,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def client_ip(request):
    """The address failed sign-ins are counted by.

    Behind TRUSTED_PROXY_COUNT proxies, each appending the address it was reached from
    to X-Forwarded-For, the client is that many entries from the right: entries further
    left come from the client itself and could be anything. Without a count, or when the
    header is short or malformed, the direct peer (REMOTE_ADDR) is used.
    """
    peer = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return peer
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return peer
