"""Racing threads for the concurrency tests: each its own database connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(threads: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in `threads` threads released together; what each returned. Fails the
    test with the first error any of them raised."""
    start = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == [], errors
    return results
