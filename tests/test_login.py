"""Sign-in throttling (django-axes): failures are counted per username and address together
(5), per username from any address (20) and per address at any username (50)."""

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


# --- One username from many addresses, one address at many usernames -----------------------

OTHER_ADDRESS = "192.0.2.200"


def _addresses(count):
    return [f"198.51.100.{number}" for number in range(1, count + 1)]


def _fail_from_many_addresses(client, username, count, url=None):
    """A distributed guesser: one wrong password for `username` from each of `count` addresses.
    The last answer is returned."""
    answers = [_sign_in(client, username, "wrong", address, url) for address in _addresses(count)]
    return answers[-1]


def _fail_at_many_usernames(client, count, address=ADDRESS, url=None):
    """Password spraying: one wrong password for each of `count` usernames from `address`.
    The last answer is returned."""
    answers = [_sign_in(client, f"guess{n}", "wrong", address, url) for n in range(count)]
    return answers[-1]


def _assert_user_locked_page(response, username):
    page = response.content.decode()
    assert response.status_code == 429
    assert f"Too many failed sign-ins as <strong>{username}</strong> from several addresses" in page
    assert "locked from every address" in page
    assert "this address" not in page
    assert "ask an administrator" in page


def _assert_address_locked_page(response):
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed sign-ins from this address" in page
    assert "whatever the username" in page
    assert "<strong>" not in page
    assert "ask an administrator" in page


def test_twenty_failures_from_twenty_addresses_lock_the_user_from_any_address(client):
    from axes.models import AccessAttempt

    user = make_user("Support")
    answers = [_sign_in(client, user.username, "wrong", address) for address in _addresses(20)]
    assert [answer.status_code for answer in answers] == [200] * 19 + [429]
    # The pair rule alone would not lock: one failure per address.
    assert set(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == {1}

    response = _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS)
    _assert_user_locked_page(response, user.username)
    assert not _signed_in(client)


def test_below_twenty_the_user_signs_in_which_does_not_clear_the_other_addresses(client):
    user = make_user("Support")
    _fail_from_many_addresses(client, user.username, 19)
    assert _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS).status_code == 302
    client.logout()
    # Signing in forgives only its own address's failures: the guesser's next address locks.
    assert _sign_in(client, user.username, "wrong", "203.0.113.99").status_code == 429


def test_a_user_locked_from_every_address_leaves_other_users_alone(client):
    locked, other = make_user("Support"), make_user("Ops")
    assert _fail_from_many_addresses(client, locked.username, 20).status_code == 429
    assert _sign_in(client, other.username, PASSWORD, _addresses(20)[-1]).status_code == 302
    client.logout()
    assert _sign_in(client, other.username, PASSWORD, OTHER_ADDRESS).status_code == 302


def test_fifty_failures_at_fifty_usernames_lock_the_address(client):
    user = make_user("Support")
    answers = [_sign_in(client, f"guess{n}", "wrong") for n in range(50)]
    assert [answer.status_code for answer in answers] == [200] * 49 + [429]

    response = _sign_in(client, user.username, PASSWORD)
    _assert_address_locked_page(response)
    assert not _signed_in(client)


def test_below_fifty_the_address_signs_in_which_does_not_clear_the_other_usernames(client):
    user = make_user("Support")
    _fail_at_many_usernames(client, 49)
    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    # Signing in forgives only its own username's failures: the next guess locks the address.
    assert _sign_in(client, "guess-fifty", "wrong").status_code == 429


def test_a_locked_address_leaves_other_addresses_alone(client):
    user = make_user("Support")
    assert _fail_at_many_usernames(client, 50).status_code == 429
    assert _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS).status_code == 302
    client.logout()
    # Nor is a username guessed from there locked elsewhere: one failure is far from 20.
    assert _sign_in(client, "guess0", "wrong", OTHER_ADDRESS).status_code == 200


@pytest.mark.parametrize("door", ["login", "admin:login"])
def test_both_logins_count_and_refuse_a_user_failed_from_many_addresses(client, door):
    user = make_user("Support", is_staff=True)
    assert _fail_from_many_addresses(client, user.username, 20, reverse(door)).status_code == 429
    for url in (reverse("login"), reverse("admin:login")):
        response = _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS, url)
        _assert_user_locked_page(response, user.username)
    assert not _signed_in(client)


@pytest.mark.parametrize("door", ["login", "admin:login"])
def test_both_logins_count_and_refuse_an_address_spraying_usernames(client, door):
    user = make_user("Support", is_staff=True)
    assert _fail_at_many_usernames(client, 50, url=reverse(door)).status_code == 429
    for url in (reverse("login"), reverse("admin:login")):
        _assert_address_locked_page(_sign_in(client, user.username, PASSWORD, url=url))
    assert not _signed_in(client)


@pytest.mark.parametrize("lock", ["user", "address"])
@pytest.mark.parametrize(("minutes", "signed_in"), [(14, False), (16, True)])
def test_the_user_and_address_locks_lift_after_the_same_cool_off(client, lock, minutes, signed_in):
    user = make_user("Support")
    if lock == "user":
        last = _fail_from_many_addresses(client, user.username, 20)
    else:
        last = _fail_at_many_usernames(client, 50)
    assert last.status_code == 429
    _travel(minutes)
    response = _sign_in(client, user.username, PASSWORD)
    assert response.status_code == (302 if signed_in else 429)


def test_axes_reset_username_unlocks_a_user_locked_from_many_addresses(client):
    user = make_user("Support")
    assert _fail_from_many_addresses(client, user.username, 20).status_code == 429
    out = io.StringIO()
    call_command("axes_reset_username", user.username, stdout=out)
    assert "20 attempts removed" in out.getvalue()
    assert _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS).status_code == 302


def test_axes_reset_ip_unlocks_an_address(client):
    user = make_user("Support")
    assert _fail_at_many_usernames(client, 50).status_code == 429
    out = io.StringIO()
    call_command("axes_reset_ip", ADDRESS, stdout=out)
    assert "50 attempts removed" in out.getvalue()
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


def test_a_superuser_unlocks_a_user_by_deleting_its_access_attempts_in_the_admin(
    client, admin_client
):
    from axes.models import AccessAttempt

    user, other = make_user("Support"), make_user("Ops")
    assert _fail_from_many_addresses(client, user.username, 20).status_code == 429
    _sign_in(client, other.username, "wrong")
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin_client.get(changelist, {"q": user.username}).context["cl"].result_count == 20

    selected = AccessAttempt.objects.filter(username=user.username).values_list("pk", flat=True)
    data = {"action": "delete_selected", "_selected_action": list(selected), "post": "yes"}
    assert admin_client.post(changelist, data).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [other.username]
    assert _sign_in(client, user.username, PASSWORD, OTHER_ADDRESS).status_code == 302
