"""Gunicorn settings for the container image.

Every value can be overridden with an environment variable, so one image
serves staging and production.
"""
import multiprocessing
import os

host = os.getenv("HOST", "0.0.0.0")
port = os.getenv("PORT", "80")
bind_env = os.getenv("BIND", None)
use_bind = bind_env if bind_env else f"{host}:{port}"

workers_per_core = float(os.getenv("WORKERS_PER_CORE", "1"))
max_workers_str = os.getenv("MAX_WORKERS")
use_max_workers = None
if max_workers_str:
    use_max_workers = int(max_workers_str)
cores = multiprocessing.cpu_count()
default_web_concurrency = max(int(workers_per_core * cores), 2)
web_concurrency = int(os.getenv("WEB_CONCURRENCY", default_web_concurrency))

# Gunicorn config variables
loglevel = os.getenv("LOG_LEVEL", "info").upper()
workers = web_concurrency
bind = use_bind
worker_class = os.getenv("WORKER_CLASS", "gunicorn.workers.ggevent.GeventWorker")
worker_connections = int(os.getenv("WORKER_CONNECTIONS", 1000))
worker_tmp_dir = "/dev/shm"
graceful_timeout = int(os.getenv("GRACEFUL_TIMEOUT", "120"))
timeout = int(os.getenv("TIMEOUT", "120"))
keepalive = int(os.getenv("KEEP_ALIVE", "5"))
accesslog = os.getenv("ACCESS_LOG", "-") or None
errorlog = os.getenv("ERROR_LOG", "-") or None

# For debugging and testing
log_data = {
    "loglevel": loglevel,
    "workers": workers,
    "bind": bind,
}
print(log_data)
