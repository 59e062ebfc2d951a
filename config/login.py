"""Sign-in throttling: what django-axes is configured with (settings: AXES_HANDLER,
AXES_LOCKOUT_CALLABLE and AXES_CLIENT_IP_CALLABLE)."""

import ipaddress
from urllib.parse import urlencode

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a failure limit for each lockout parameter set
    (settings.LOGIN_FAILURE_LIMITS). Axes holds one limit against every set, which would
    lock a username and address pair only at the per-user limit, or a whole address at
    the pair's."""

    def reached_limits(self, request, credentials=None):
        """The parameter sets, such as ("username",), whose failures within the cool-off
        have reached their limit."""
        reached = []
        # get_user_attempts gives one queryset per lockout parameter set, in the same order.
        attempts_list = self.get_user_attempts(request, credentials)
        parameters_list = get_lockout_parameters(request, credentials)
        for parameters, attempts in zip(parameters_list, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if failures >= settings.LOGIN_FAILURE_LIMITS[tuple(parameters)]:
                reached.append(tuple(parameters))
        return reached

    def get_failures(self, request, credentials=None):
        # Axes locks out when this reaches AXES_FAILURE_LIMIT, both before it lets a password
        # be checked (is_locked) and after it records a failure (user_login_failed); it keeps
        # the number on the request but nothing reads it.
        return settings.AXES_FAILURE_LIMIT if self.reached_limits(request, credentials) else 0

    def reset_user_attempts(self, request, credentials=None):
        # On a successful sign-in axes would clear what matches any parameter set: all of the
        # username's failures and all of the address's. Signing in to any account would then
        # wipe its address's count of guesses at other usernames, and a user signing in the
        # count of a guesser at their username from elsewhere. Forgive the pair's only.
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        count, _ = attempts.delete()
        return count


def lockout_response(request, original_response, credentials):
    """The page a locked-out sign-in gets, from the app's login and the admin's alike:
    what happened (to this username from this address, to the username from every address,
    or to the address whatever the username), for how long, and whom to ask."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    login_url = request.path
    if request.POST.get("next"):
        login_url += "?" + urlencode({"next": request.POST["next"]})
    reached = LockoutHandler().reached_limits(request, credentials)
    context = {
        "username": get_client_username(request, credentials) or "",
        "user_locked": ("username",) in reached,
        "address_locked": ("ip_address",) in reached,
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
