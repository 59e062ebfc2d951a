"""`manage.py run_worker`: django-tasks' db_worker (same options) plus a heartbeat for
/healthz. django-tasks records nothing about its workers, so a thread beside the worker
loop writes this process's row of WorkerHeartbeat every HEARTBEAT_SECONDS; the row goes
when the worker stops cleanly, and a killed worker's row simply goes stale.

db_worker stops at the first database error; this worker waits and starts its loop again,
so a database restart (or SQLite's disk full) does not take the worker down with it."""

import contextlib
import logging
import threading
import time
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from core.errors import UNAVAILABLE
from core.models import WorkerHeartbeat

logger = logging.getLogger("core.worker")

HEARTBEAT_SECONDS = 15
# Rows of workers gone this long (killed, their machine replaced) are cleared by any beat.
FORGET_AFTER = timedelta(days=1)
# After a database error the loop starts again in 1 s, then 2, 4… up to this.
MAX_RETRY_SECONDS = 30


def beat(worker_id: str) -> None:
    """Record that the worker `worker_id` is alive now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def _beat_until(stopped: threading.Event, worker_id: str) -> None:
    """The heartbeat thread: beat, wait, again, until stopped. A failed beat (the database
    away for a moment) is logged and retried at the next one, not fatal."""
    try:
        while not stopped.is_set():
            try:
                close_old_connections()
                beat(worker_id)
            except DatabaseError:
                logger.warning("Worker heartbeat failed; retrying.", exc_info=True)
            stopped.wait(HEARTBEAT_SECONDS)
    finally:
        connection.close()  # this thread's own connection


class Command(db_worker.Command):
    help = "Run the background worker (django-tasks' db_worker) and report it alive for /healthz"

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        stopped = threading.Event()
        # A daemon thread never keeps the process alive: when the worker loop ends, for
        # whatever reason, the beats end with it.
        heart = threading.Thread(
            target=_beat_until, args=(stopped, worker_id), name="heartbeat", daemon=True
        )
        heart.start()
        try:
            self._run_until_stopped(*args, **options)
        finally:
            stopped.set()
            heart.join(timeout=5)
            with contextlib.suppress(DatabaseError):  # else the row goes stale in a minute
                WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()

    def _run_until_stopped(self, *args: Any, **options: Any) -> None:
        """db_worker's loop, started again after each database error. A task that was
        running when the database went away stays claimed, as when a worker is killed."""
        wait = 1
        while True:
            started = time.monotonic()
            try:
                super().handle(*args, **options)
                return  # --batch or --max-tasks done
            except UNAVAILABLE:
                if time.monotonic() - started > MAX_RETRY_SECONDS:
                    wait = 1  # it had recovered: a new outage counts from the start
                logger.exception("Database unavailable; the worker starts again in %s s.", wait)
            with contextlib.suppress(DatabaseError):
                connections.close_all()
            time.sleep(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)
