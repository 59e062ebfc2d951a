"""GET /healthz: 200 when the database answers and a worker beat within a minute."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from core.management.commands import run_worker
from core.models import WorkerHeartbeat
from tests.factories import make_customer

URL = reverse("healthz")


def _beat(seconds_ago):
    WorkerHeartbeat.objects.create(
        worker_id=f"w{seconds_ago}", seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.mark.django_db
def test_healthy_with_a_fresh_heartbeat_and_no_sign_in(client):
    _beat(5)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unhealthy_when_the_last_heartbeat_is_over_a_minute_old(client):
    _beat(61)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": "ok", "worker": "stale"}


@pytest.mark.django_db
def test_unhealthy_when_no_worker_ever_reported(client):
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": "ok", "worker": "missing"}


@pytest.mark.django_db
def test_unhealthy_when_the_database_does_not_answer(client):
    _beat(5)
    down = OperationalError("connection refused")
    with mock.patch.object(connections["default"], "cursor", side_effect=down):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": "fail", "worker": "unknown"}


@pytest.mark.django_db
def test_says_nothing_about_customers(client):
    customer = make_customer(name="Secretive Ltd", email="ceo@secretive.example")
    _beat(5)
    body = client.get(URL).content.decode()
    assert set(client.get(URL).json()) == {"status", "database", "worker"}
    assert customer.public_id not in body and "Secretive" not in body


@pytest.mark.django_db
def test_a_beat_records_the_worker_and_forgets_long_gone_ones():
    WorkerHeartbeat.objects.create(worker_id="gone", seen_at=timezone.now() - timedelta(days=2))
    run_worker.beat("w1")
    run_worker.beat("w1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w1"]


def test_run_worker_beats_while_the_worker_runs_and_clears_its_row_after(flushable_db, client):
    """The worker loop is replaced by one that waits for the heartbeat thread's row and
    asks /healthz, as a monitor would while the real loop runs."""
    seen = {}

    def worker_loop(self, *args, **options):
        deadline = time.monotonic() + 10
        while not WorkerHeartbeat.objects.filter(worker_id="w-test").exists():
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.05)
        seen["status"] = client.get(URL).status_code
        seen["thread"] = any(t.name == "heartbeat" for t in threading.enumerate())

    with mock.patch.object(db_worker.Command, "handle", worker_loop):
        call_command("run_worker", "--worker-id", "w-test", "--no-reload")
    assert seen == {"status": 200, "thread": True}
    assert not WorkerHeartbeat.objects.exists()
