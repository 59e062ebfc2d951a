"""Two-step verification (django-otp): an authenticator app (TOTP) and ten one-time recovery
codes, set up per user on the "Two-step verification" page and required for the groups in
settings.MFA_REQUIRED_GROUPS.

Sign-in stays the password form (with django-axes' lockout); it signs the user in but leaves
the session unverified. For a user with a device, SecondFactorMiddleware then sends every
request to the code step until a code has verified the session (django_otp.login). Wrong
codes are throttled by the device itself: each failure doubles the wait before the next
code is looked at (1, 2, 4, ... seconds). The admin's login is this same sign-in.
"""

from base64 import b32encode
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
# Views a signed-in user may reach before the second step: the step itself and signing out.
OPEN_BEFORE_CODE = {"mfa_verify", "logout"}
OPEN_BEFORE_SET_UP = {"two_step", "logout"}


def mfa_required(user: Any) -> bool:
    groups = settings.MFA_REQUIRED_GROUPS
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def _with_next(url_name: str, next_url: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{resolve_url(url_name)}?{query.urlencode(safe='/')}"


class SecondFactorMiddleware:
    """After LoginRequiredMiddleware: a signed-in user with a device reaches nothing but the
    code step until the session is verified; one in a required group without a device
    reaches nothing but the set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: Any
    ) -> HttpResponseBase | None:
        user: Any = request.user
        if not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        if user.is_verified():
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if user_has_device(user):
            if name in OPEN_BEFORE_CODE:
                return None
            return redirect(_with_next("mfa_verify", request.get_full_path()))
        if mfa_required(user) and name not in OPEN_BEFORE_SET_UP:
            return redirect("two_step")
        return None


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def check_code(user: Any, code: str) -> tuple[Device | None, bool]:
    """The confirmed device that takes `code` (six digits: the app; else a recovery code),
    and whether every device that could have taken it is waiting out its throttle."""
    code = code.replace(" ", "").lower()
    from_app = code.isdigit()
    with transaction.atomic():
        candidates = [
            device
            for device in devices_for_user(user, for_verify=True)
            if isinstance(device, TOTPDevice) == from_app
        ]
        allowed = [device for device in candidates if device.verify_is_allowed()[0]]
        for device in allowed:
            if device.verify_token(code):
                return device, False
    return None, bool(candidates) and not allowed


def _refuse(form: CodeForm, throttled: bool) -> None:
    if throttled:
        form.add_error("code", "Too many wrong codes: wait a few seconds, then try again.")
    else:
        form.add_error("code", "That code is not right. Check it and try again.")


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password."""
    user: Any = request.user
    next_url = _safe_next(request)
    if user.is_verified() or not user_has_device(user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device, throttled = check_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        _refuse(form, throttled)
    status = 422 if form.errors else 200
    context = {"form": form, "next": next_url}
    return render(request, "registration/mfa_verify.html", context, status=status)


def _app_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _new_recovery_codes(user: Any) -> list[str]:
    """Ten fresh recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _qr_svg(uri: str) -> SafeString:
    # Inline SVG: the Content-Security-Policy allows images from our origin only, no data: URLs.
    svg = segno.make(uri, error="m").svg_inline(scale=5, light="#fff", title="QR code")
    return mark_safe(svg)  # segno's own markup; the URI it encodes is only in the drawing


def _setup_context(device: TOTPDevice, form: CodeForm) -> dict[str, Any]:
    secret = b32encode(device.bin_key).decode()
    return {
        "device": device,
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": device.config_url,
        "qr": _qr_svg(device.config_url),
    }


def _status_page(request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
    static = StaticDevice.objects.filter(user=request.user).first()
    context = {
        "form": form,
        "codes_left": static.token_set.count() if static else 0,
        "required": mfa_required(request.user),
    }
    return render(request, "registration/two_step.html", context, status=status)


def two_step(request: HttpRequest) -> HttpResponse:
    """The "Two-step verification" page: set-up (secret, QR code, a code to confirm) until
    confirmed, then what is on, the recovery codes left, and turning it off."""
    user: Any = request.user
    if _app_device(user):
        return _status_page(request, CodeForm())
    # One unconfirmed device, kept until confirmed: reloading the page keeps the secret.
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST or None)
    if form.is_valid():
        allowed = device.verify_is_allowed()[0]
        if allowed and device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = _new_recovery_codes(user)
            return render(request, "registration/recovery_codes.html", {"codes": codes})
        _refuse(form, throttled=not allowed)
    status = 422 if form.errors else 200
    context = _setup_context(device, form)
    return render(request, "registration/two_step_setup.html", context, status=status)


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not _app_device(request.user):
        return redirect("two_step")
    codes = _new_recovery_codes(request.user)
    return render(request, "registration/recovery_codes.html", {"codes": codes})


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turning it off takes a current code: a session left open is not enough."""
    user: Any = request.user
    if mfa_required(user):
        return render(request, "403.html", status=403)
    form = CodeForm(request.POST)
    if form.is_valid():
        device, throttled = check_code(user, form.cleaned_data["code"])
        if device is not None:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, "Two-step verification is off.")
            return redirect("two_step")
        _refuse(form, throttled)
    return _status_page(request, form, status=422)


@login_not_required
def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
    """admin.site.login: the admin signs in through our form, lockout and code step."""
    return auth_views.LoginView.as_view()(request)
