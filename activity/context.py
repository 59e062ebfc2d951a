"""Who is acting, and through which door: set by the middleware for pages and the admin,
by the API for a key, by the import and the worker for their tasks, by manage.py for a
command; read by activity.services when it records an entry."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .kinds import Source


@dataclass(frozen=True)
class Actor:
    source: str
    # A user (request.user may be lazy or anonymous), or None.
    user: Any = None
    # Said instead of the user's name: "API key Signup flow (…4242)", "manage.py …".
    name: str = ""

    def entry_fields(self) -> dict[str, Any]:
        """The Entry fields naming this actor."""
        user = self.user if self.user is not None and self.user.is_authenticated else None
        name = self.name or (user.get_username() if user is not None else "")
        return {"source": self.source, "user_id": user.pk if user else None, "actor": name}


_current: ContextVar[Actor | None] = ContextVar("activity_actor", default=None)
# Outside any request, task or manage.py (a shell script, a test).
_NOBODY = Actor(Source.COMMAND)


def current_actor() -> Actor:
    return _current.get() or _NOBODY


@contextmanager
def acting(source: str, *, user: Any = None, name: str = "") -> Iterator[Actor]:
    """Attribute what the block changes to `user` (or `name`) acting through `source`."""
    actor = Actor(source, user, name)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
