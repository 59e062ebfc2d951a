"""GET /healthz, for a load balancer or a monitor: is the database answering, and has a
background worker reported within a minute? JSON, no sign-in, nothing about customers."""

from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import WorkerHeartbeat

# A worker beats every HEARTBEAT_SECONDS (core/management/commands/run_worker.py); four
# missed beats in a row and it is taken for dead.
WORKER_SILENCE = timedelta(minutes=1)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", ...} when both answer; 503 {"status": "fail", ...} otherwise,
    with "database" ok/fail and "worker" ok/stale (silent for over a minute)/missing
    (never reported)/unknown (the database did not answer)."""
    try:
        # One query answers both: the database is up, and when a worker last beat.
        last_beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at").first()
    except DatabaseError:
        database, worker = "fail", "unknown"
    else:
        database = "ok"
        if last_beat is None:
            worker = "missing"
        elif last_beat[0] < timezone.now() - WORKER_SILENCE:
            worker = "stale"
        else:
            worker = "ok"
    healthy = database == worker == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "database": database, "worker": worker},
        status=200 if healthy else 503,
    )
