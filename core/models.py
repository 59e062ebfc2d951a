from django.db import models


class WorkerHeartbeat(models.Model):
    """When each background worker (`manage.py run_worker`) last said it was alive:
    django-tasks records no such thing, and /healthz asks it. One row per worker process,
    written every few seconds by its heartbeat thread and removed when it stops cleanly."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
