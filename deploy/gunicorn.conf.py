"""gunicorn for RaptorLink: `gunicorn -c deploy/gunicorn.conf.py` (the web unit runs exactly this).

Sync workers suit the app: every request is short, and nothing waits on PowerSchool during a request (sign-ins
hand their write-back to the task queue). Tune with GUNICORN_BIND and WEB_CONCURRENCY.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A kiosk answer takes milliseconds; anything near this limit is stuck, and the worker is replaced.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycling workers now and then bounds any slow growth of memory.
max_requests = 2000
max_requests_jitter = 200
# The TLS proxy runs on this machine or the private network; only it may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "raptorlink-web"
