"""Sign-in throttling (django-axes): failures are counted per username and address."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
ADDRESS = "203.0.113.7"


def _sign_in(client, username, password, address=ADDRESS, url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _fail(client, username, times, address=ADDRESS, url=None):
    return [_sign_in(client, username, "wrong", address, url) for _ in range(times)]


def _signed_in(client):
    return "_auth_user_id" in client.session


def _travel(minutes):
    """Move every recorded failure into the past, as if `minutes` had gone by."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def _assert_locked_page(response, username):
    page = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in locked" in page
    assert f"as <strong>{username}</strong>" in page
    assert "locked for 15 minutes" in page
    assert "ask an administrator" in page


def test_five_wrong_passwords_lock_the_right_one_out_with_a_message(client):
    user = make_user("Support")
    answers = _fail(client, user.username, 5)
    # The first four are answered as usual; the fifth locks.
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert "Please enter a correct username and password" in answers[0].content.decode()

    response = _sign_in(client, user.username, PASSWORD)
    _assert_locked_page(response, user.username)
    assert not _signed_in(client)


def test_the_locked_page_leads_back_to_sign_in(client):
    user = make_user("Support")
    _fail(client, user.username, 5)
    data = {"username": user.username, "password": PASSWORD, "next": "/invoices/"}
    response = client.post(reverse("login"), data, REMOTE_ADDR=ADDRESS)
    assert 'href="/login/?next=%2Finvoices%2F"' in response.content.decode()


def test_four_wrong_passwords_do_not_lock(client):
    user = make_user("Support")
    _fail(client, user.username, 4)
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert _signed_in(client)


def test_signing_in_clears_the_earlier_failures(client):
    user = make_user("Support")
    _fail(client, user.username, 4)
    _sign_in(client, user.username, PASSWORD)
    client.logout()
    _fail(client, user.username, 4)
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_another_user_from_the_same_address_is_not_locked(client):
    locked, other = make_user("Support"), make_user("Ops")
    _fail(client, locked.username, 5)
    assert _sign_in(client, other.username, PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_same_user_from_another_address_is_not_locked(client):
    user = make_user("Support")
    _fail(client, user.username, 5, address="198.51.100.9")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_the_admin_login_is_locked_too(client):
    user = make_user("Support", is_staff=True)
    admin_login = reverse("admin:login")
    answers = _fail(client, user.username, 5, url=admin_login)
    assert answers[-1].status_code == 429

    _assert_locked_page(_sign_in(client, user.username, PASSWORD, url=admin_login), user.username)
    # One count for both doors: the app's login is locked as well.
    _assert_locked_page(_sign_in(client, user.username, PASSWORD), user.username)
    assert not _signed_in(client)


def test_failures_at_the_app_login_lock_the_admin_login(client):
    user = make_user("Support", is_staff=True)
    _fail(client, user.username, 5)
    response = _sign_in(client, user.username, PASSWORD, url=reverse("admin:login"))
    _assert_locked_page(response, user.username)


def test_a_superuser_unlocks_by_deleting_the_access_attempt_in_the_admin(client, admin_client):
    from axes.models import AccessAttempt

    user = make_user("Support")
    _fail(client, user.username, 5)
    attempt = AccessAttempt.objects.get(username=user.username)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert user.username in changelist and "Locked Out" in changelist

    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_axes_reset_username_unlocks(client):
    user = make_user("Support")
    _fail(client, user.username, 5)
    out = io.StringIO()
    call_command("axes_reset_username", user.username, stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_support_cannot_see_or_clear_lockouts(client, support_client):
    user = make_user("Support")
    _fail(client, user.username, 5)
    assert support_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


@pytest.mark.parametrize(("minutes", "signed_in"), [(14, False), (16, True)])
def test_the_lock_lifts_after_the_cool_off(client, minutes, signed_in):
    user = make_user("Support")
    _fail(client, user.username, 5)
    _travel(minutes)
    response = _sign_in(client, user.username, PASSWORD)
    assert response.status_code == (302 if signed_in else 429)
    assert _signed_in(client) is signed_in


def test_an_attempt_while_locked_starts_the_wait_again(client):
    user = make_user("Support")
    _fail(client, user.username, 5)
    _travel(10)
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    _travel(10)  # 20 minutes after the lock, 10 after the last attempt
    assert _sign_in(client, user.username, PASSWORD).status_code == 429
    _travel(16)
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
