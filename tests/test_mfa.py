"""Two-step verification (config/mfa.py): TOTP set-up, the code step after the password,
recovery codes, turning it off, the groups it is required for, and the admin behind it."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


def _code(device, steps_ahead=0):
    """The device's code now, or `steps_ahead` 30-second steps on (a code is taken once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _with_device(user, recovery_codes=()):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    if recovery_codes:
        static = StaticDevice.objects.create(user=user, name="Recovery codes")
        for token in recovery_codes:
            static.token_set.create(token=token)
    return device


def _password(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD, "next": next_url}
    return client.post(reverse("login"), data)


def _verified(client):
    return "otp_device_id" in client.session


# --- Setting it up ----------------------------------------------------------------------------


def test_the_page_shows_the_secret_the_uri_and_a_qr_code(client):
    user = make_user("Support")
    client.force_login(user)
    page = client.get(reverse("two_step")).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "Two-step verification" in page
    assert device.config_url.replace("&", "&amp;") in page
    assert "<svg" in page  # inline: the Content-Security-Policy allows no data: image


def test_the_user_menu_links_to_the_page(client):
    client.force_login(make_user("Support"))
    page = client.get(reverse("customers:list")).content.decode()
    assert f'href="{reverse("two_step")}"' in page


def test_a_valid_code_confirms_the_device_and_shows_ten_recovery_codes_once(client):
    user = make_user("Support")
    client.force_login(user)
    client.get(reverse("two_step"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(reverse("two_step"), {"code": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert _verified(client)
    tokens = list(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
    assert len(tokens) == 10
    page = response.content.decode()
    assert all(token in page for token in tokens)
    # Shown once: the page afterwards says how many are left, not what they are.
    page = client.get(reverse("two_step")).content.decode()
    assert "10 recovery codes left" in page
    assert not any(token in page for token in tokens)


def test_a_wrong_code_is_refused_with_the_input_kept(client):
    user = make_user("Support")
    client.force_login(user)
    client.get(reverse("two_step"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_step"), {"code": wrong})
    assert response.status_code == 422
    page = response.content.decode()
    assert "That code is not right" in page
    assert f'value="{wrong}"' in page
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=user).exists()


def test_set_up_keeps_the_same_secret_until_confirmed(client):
    user = make_user("Support")
    client.force_login(user)
    client.get(reverse("two_step"))
    client.get(reverse("two_step"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- Signing in -------------------------------------------------------------------------------


def test_a_user_with_a_device_needs_the_code_step_before_any_page(client):
    user = make_user("Support")
    device = _with_device(user)
    response = _password(client, user, next_url="/invoices/")
    assert response.status_code == 302
    # Every page sends them to the code step, keeping where they were going.
    response = client.get("/invoices/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_verify") + "?next=/invoices/"
    assert client.get(reverse("customers:list")).status_code == 302

    page = client.get(reverse("mfa_verify")).content.decode()
    assert "Enter the 6-digit code" in page
    response = client.post(reverse("mfa_verify") + "?next=/invoices/", {"code": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/invoices/"
    assert _verified(client)
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_user_without_a_device_signs_in_with_the_password_alone(client):
    user = make_user("Support")
    _password(client, user)
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_wrong_code_at_sign_in_is_refused_and_throttled(client):
    user = make_user("Support")
    device = _with_device(user)
    _password(client, user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_verify"), {"code": wrong})
    assert response.status_code == 422
    assert "That code is not right" in response.content.decode()
    # The device now waits before it accepts another code, even the right one.
    response = client.post(reverse("mfa_verify"), {"code": _code(device)})
    assert response.status_code == 422
    assert "Too many wrong codes" in response.content.decode()
    assert not _verified(client)


def test_a_recovery_code_works_once(client):
    user = make_user("Support")
    _with_device(user, recovery_codes=["abcd2345", "efgh6723"])
    _password(client, user)
    response = client.post(reverse("mfa_verify"), {"code": "abcd2345"})
    assert response.status_code == 302
    assert _verified(client)
    client.logout()

    _password(client, user)
    response = client.post(reverse("mfa_verify"), {"code": "abcd2345"})
    assert response.status_code == 422
    assert not _verified(client)


def test_the_code_step_needs_the_password_first(client):
    response = client.get(reverse("mfa_verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Recovery codes and turning it off --------------------------------------------------------


def _signed_in_with_device(client, user, recovery_codes=()):
    device = _with_device(user, recovery_codes)
    _password(client, user)
    client.post(reverse("mfa_verify"), {"code": _code(device)})
    assert _verified(client)
    return device


def test_regenerating_recovery_codes_replaces_the_old_ones(client):
    user = make_user("Support")
    _signed_in_with_device(client, user, recovery_codes=["abcd2345"])
    response = client.post(reverse("two_step_recovery_codes"))
    tokens = list(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
    assert len(tokens) == 10 and "abcd2345" not in tokens
    assert all(token in response.content.decode() for token in tokens)


def test_turning_it_off_needs_a_current_code(client):
    user = make_user("Support")
    device = _signed_in_with_device(client, user, recovery_codes=["abcd2345"])
    response = client.post(reverse("two_step_disable"), {"code": "000000"})
    assert response.status_code == 422
    assert TOTPDevice.objects.filter(user=user).exists()

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("two_step_disable"), {"code": _code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()


# --- Required for some groups -----------------------------------------------------------------


def test_a_required_group_without_a_device_is_sent_to_set_up(client, settings):
    settings.MFA_REQUIRED_GROUPS = ["Billing staff"]
    user = make_user("Billing staff", is_staff=True)
    _password(client, user)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_step"))
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("two_step")).status_code == 200

    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two_step"), {"code": _code(device)})
    assert client.get(reverse("customers:list")).status_code == 200


def test_a_required_group_cannot_turn_it_off(client, settings):
    settings.MFA_REQUIRED_GROUPS = ["Billing staff"]
    user = make_user("Billing staff", is_staff=True)
    device = _signed_in_with_device(client, user)
    response = client.post(reverse("two_step_disable"), {"code": _code(device, steps_ahead=1)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=user).exists()


def test_other_groups_are_not_required(client, settings):
    settings.MFA_REQUIRED_GROUPS = ["Billing staff"]
    user = make_user("Support")
    _password(client, user)
    assert client.get(reverse("customers:list")).status_code == 200


# --- The admin --------------------------------------------------------------------------------


def test_the_admin_login_is_our_sign_in(client):
    page = client.get(reverse("admin:login") + "?next=/admin/").content.decode()
    assert 'action="/login/"' in page
    assert 'name="next" value="/admin/"' in page


def test_the_admin_requires_the_verified_session(client):
    user = make_user("Billing staff", is_superuser=True, is_staff=True)
    device = _with_device(user)
    _password(client, user, next_url="/admin/")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    client.post(reverse("mfa_verify"), {"code": _code(device)})
    assert client.get(reverse("admin:index")).status_code == 200
