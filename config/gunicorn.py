"""Gunicorn's settings for `make run` (bin/serve): `gunicorn -c config/gunicorn.py config.wsgi`.

HOST and PORT say where to listen; WEB_CONCURRENCY overrides the number of worker processes.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Gunicorn's rule of thumb: two workers per core, plus one (sync workers: one request each).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# A worker silent this long is killed and replaced: large enough for the biggest XLSX export
# and import preview, which run inside the request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On SIGTERM or Ctrl-C, requests in flight get this long to finish.
graceful_timeout = 20
# The application's own log lines go to stdout (settings.LOGGING); gunicorn's errors to stderr.
errorlog = "-"
# No runtime control socket (gunicornc): nothing uses it, and two servers on one machine would
# share its one path in the home directory.
control_socket_disable = True
