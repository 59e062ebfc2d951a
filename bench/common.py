"""What the ledger, invoice and PDF benchmarks share: Django on a scratch database."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def setup_django(database_url, name):
    """Django on PostgreSQL at `database_url`, else on a fresh SQLite file
    bench/out/<name>.sqlite3; migrated."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        db_path = OUT / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(db_path)
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ["DJANGO_DEBUG"] = "0"
    # Nothing a benchmark does should wait for the worker.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # DEBUG off renders pages with the hashed static files' manifest: made here, so a
    # bench on a fresh clone (no `make run` before it) finds every file, lists.js too.
    call_command("collectstatic", interactive=False, verbosity=0)
