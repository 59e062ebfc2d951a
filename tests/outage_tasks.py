"""A task for tests/test_database_outage.py's worker: it leaves a file behind, so the test
sees that the worker's loop runs tasks again once the database is back."""

from pathlib import Path

from django_tasks import task


@task()
def leave_a_mark(path: str) -> None:
    Path(path).write_text("ran")
