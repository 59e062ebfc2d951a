"""The database goes away (PostgreSQL restarting, SQLite's file unreachable): pages answer
with the 503 page and /healthz with 503, nothing of the error reaches the user, and the
background worker waits for the database instead of exiting. Real processes with their own
settings, so both run on whichever database CI is testing."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

# A signed-in browser's request: the session cookie makes the first query (the session
# lookup, in the middleware before any view) the one that fails.
REQUESTS = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
client.cookies["sessionid"] = "a" * 32
answers = {}
for name, headers in (("page", {}), ("htmx", {"HTTP_HX_REQUEST": "true"})):
    response = client.get("/customers/", **headers)
    answers[name] = [response.status_code, response.get("Retry-After"), response.content.decode()]
response = Client(HTTP_HOST="127.0.0.1").get("/healthz")  # a monitor: no cookies
answers["healthz"] = [response.status_code, response.json()]
print(json.dumps(answers))
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(**database):
    """This process's environment with another database; DEBUG off."""
    drop = ("DATABASE_URL", "SQLITE_PATH", "DJANGO_DEBUG", "TASKS_BACKEND")
    env = {key: value for key, value in os.environ.items() if key not in drop}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **database}


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_pages_answer_503_while_the_database_is_unreachable(tmp_path, vendor):
    if vendor == "sqlite":  # a directory that isn't there: "unable to open database file"
        database = {"SQLITE_PATH": str(tmp_path / "gone" / "db.sqlite3")}
    else:  # nothing listening: "connection refused"
        database = {"DATABASE_URL": f"postgres://billing:pw@127.0.0.1:{_free_port()}/billing"}
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS],
        env=_environment(**database),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    *log, printed = result.stdout.splitlines()  # the log goes to stdout too
    answers = json.loads(printed)
    for name in ("page", "htmx"):
        status, retry_after, page = answers[name]
        assert (status, retry_after) == (503, "30"), name
        assert "Temporarily unavailable" in page
        assert "OperationalError" not in page and "Traceback" not in page
    assert answers["healthz"] == [503, {"status": "fail", "database": "fail", "worker": "unknown"}]
    # The traceback goes to the log instead.
    assert "Service Unavailable: /customers/" in "\n".join(log)
    assert "OperationalError" in "\n".join(log)


def _wait_for(condition, seconds, what, log):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}\n{log.read_text()}"
        time.sleep(0.2)


def test_the_worker_waits_for_the_database_and_runs_tasks_once_it_is_back(tmp_path):
    """The worker starts while its SQLite file is unreachable (its directory renamed away,
    as a database that is down), logs and waits; once the directory is back it runs a
    task queued meanwhile, without being restarted."""
    here, away = tmp_path / "db", tmp_path / "away"
    env = _environment(SQLITE_PATH=str(here / "db.sqlite3"), DJANGO_SECRET_KEY="outage-test")
    here.mkdir()
    manage = [sys.executable, "manage.py"]
    run = dict(env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert subprocess.run([*manage, "migrate", "-v0"], **run).returncode == 0
    here.rename(away)

    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [*manage, "run_worker", "--worker-id", "outage", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: "Database unavailable" in log.read_text(), 30, "no retry logged", log)
        assert worker.poll() is None, log.read_text()

        away.rename(here)
        mark = tmp_path / "mark"
        queue = f"from tests.outage_tasks import leave_a_mark; leave_a_mark.enqueue({str(mark)!r})"
        queued = subprocess.run([*manage, "shell", "-c", queue], **run)
        assert queued.returncode == 0, queued.stderr
        _wait_for(mark.exists, 60, "the task did not run", log)
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
