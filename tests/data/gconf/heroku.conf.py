# gunicorn.conf.py for a Heroku-style platform.
#
# The platform tells the app where to listen ($PORT) and how many processes
# its dyno size can hold ($WEB_CONCURRENCY); everything else is fixed here.
import os

bind = "0.0.0.0:" + os.environ.get("PORT", "8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2))
threads = int(os.environ.get("PYTHON_MAX_THREADS", 1))

# The router gives up after 30 s, so should we.
timeout = 30
keepalive = 2

# Recycle workers now and then (a slow leak in a dependency).
max_requests = 1200
max_requests_jitter = 50

accesslog = "-"
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = "*"
