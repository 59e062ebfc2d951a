"""The secret key `make run` generates once into a git-ignored file (mode 0600).

DJANGO_SECRET_KEY in the environment always wins; the file spares a single-machine
install from inventing one. Several machines must share one key (sessions, password
reset links and signed values are signed with it): set DJANGO_SECRET_KEY there instead.

`python -m config.secret_key [PATH]` creates the file unless it exists.
"""

import os
import secrets
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / ".secret_key"


def read_secret_key(path: Path) -> str:
    """The key in `path`, or "" when there is no such file."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def ensure_secret_key(path: Path) -> str:
    """The key in `path`, written there first (readable by its owner only) if missing."""
    if key := read_secret_key(path):
        return key
    key = secrets.token_urlsafe(50)
    # O_EXCL: two first runs at once cannot both write; mode 0600 from the start, never
    # world-readable for a moment.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret_key(path)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    ensure_secret_key(target)
