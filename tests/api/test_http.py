"""The edges of a /v1/ request: Django's size limits answered in Stripe's shape, the purge
of kept idempotent answers, and one object for concurrent retries with the same key."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from api.models import IdempotentRequest
from customers.models import Customer
from tests.api.conftest import make_key


@pytest.mark.django_db
def test_too_many_fields_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = [(f"metadata[k{n}]", "v") for n in range(6)]
    for answer in (api.post("/v1/customers", fields), api.get("/v1/customers", fields)):
        assert answer.status_code == 400
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["error"] == {
            "type": "invalid_request_error",
            "message": "Too many parameters: at most 5 are accepted.",
        }


@pytest.mark.django_db
def test_a_body_too_large_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    answer = api.post("/v1/customers", {"name": "x" * 200, "email": "x@example.com"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        "The request body is too large: at most 100 bytes are accepted."
    )


@pytest.mark.django_db
def test_purge_deletes_kept_answers_over_a_day_old(api):
    for number in range(3):
        api.post(
            "/v1/customers",
            {"name": f"C{number}", "email": f"c{number}@example.com"},
            HTTP_IDEMPOTENCY_KEY=f"k{number}",
        )
    now = timezone.now()
    IdempotentRequest.objects.filter(key="k0").update(created=now - timedelta(hours=25))
    IdempotentRequest.objects.filter(key="k1").update(created=now - timedelta(hours=23))
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert out.getvalue() == "Deleted 1 kept answers older than 24 hours.\n"
    assert sorted(IdempotentRequest.objects.values_list("key", flat=True)) == ["k1", "k2"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_concurrent_requests_with_one_idempotency_key_make_one_customer(flushable_db, roles):
    _, secret = make_key()
    threads_count = 8
    start = threading.Barrier(threads_count)
    answers = []

    def send():
        try:
            client = Client()
            start.wait()
            answers.append(
                client.post(
                    "/v1/customers",
                    "name=Jenny&email=jenny%40example.com",
                    content_type="application/x-www-form-urlencoded",
                    HTTP_AUTHORIZATION=f"Bearer {secret}",
                    HTTP_IDEMPOTENCY_KEY="signup-42",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [200] * threads_count
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Customer.objects.count() == 1
    replayed = [answer for answer in answers if answer.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == threads_count - 1
