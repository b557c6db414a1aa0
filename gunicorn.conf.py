"""gunicorn settings for the web process: JSON log lines, the request id on every access line."""

import os

from prometheus_client import multiprocess

from infra.whole_responses import install as send_whole_responses

# Headers and the first body bytes in one write: an instance killed mid-answer never hands nginx half of one.
send_whole_responses()

bind = f"127.0.0.1:{os.environ.get('WEB_PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
graceful_timeout = 10
# gunicorn 25+ opens a control socket at one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl),
# so a second stack on the machine (or the benchmarks' servers) would take over the first one's. Nothing here
# uses `gunicornc`: no socket.
control_socket_disable = True
accesslog = "-"
# %({x-request-id}o)s is the response header app/logs.py sets, so access lines join the app's lines.
access_log_format = ('{"ts": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "method": "%(m)s", '
                     '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, '
                     '"request_id": "%({x-request-id}o)s", "remote": "%(h)s"}')
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                 "rename_fields": {"asctime": "ts", "levelname": "level", "name": "logger"}},
        "raw": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "raw", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}

# Longer than the gateway's upstream keep-alive (infra/gateway/nginx.conf.j2), so nginx closes idle
# connections first and never sends a request down one this instance is closing.
keepalive = 5


def child_exit(server, worker):
    """A worker that exits leaves its metric files behind; mark them dead so live gauges stop counting it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
