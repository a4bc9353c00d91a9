"""gunicorn's settings for Aftercare: `gunicorn aftercare.wsgi` reads this file from the
current folder (the repository root). Every number can be changed from the environment."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from aftercare.redact import HideClientLinks, hide_client_links

# Behind the TLS-terminating proxy on the same box; GUNICORN_BIND=0.0.0.0:8000 in a container.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Handouts are rendered in the request (WeasyPrint), so a slow PDF holds a whole worker:
# a few processes per core keeps pages answering meanwhile. WEB_CONCURRENCY is the name
# most hosts set.
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))

# A day's handouts (30 visits in one PDF) is the slowest answer the app gives.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30

# Recycle each worker after this many requests, so memory WeasyPrint and Pillow leave
# fragmented is given back. The default is a placeholder until the memory measurement
# (memory after 300 handouts, docs/performance.md) sets it; the jitter keeps the workers
# from all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max_requests // 10)))

# gunicorn's control socket defaults to one path per user, so a second gunicorn on the box
# (a test run, a load run) would take it over; on only when asked for.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Logs to stdout/stderr for the service manager or container runtime to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


class AccessLogger(Logger):
    """gunicorn's logs without client-link tokens: a token in the address is the key to a
    client's health page, and logs travel further than the database. The access log's
    atoms are redacted here; the error log ("Error handling request /h/…/") by the same
    filter as Django's."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(HideClientLinks())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: hide_client_links(value) if isinstance(value, str) else value for name, value in atoms.items()}


logger_class = AccessLogger
