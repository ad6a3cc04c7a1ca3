# Production settings for the shop, with a few server hooks for logging.
import logging
import multiprocessing

bind = ["127.0.0.1:8000", "unix:/tmp/shop.sock"]
backlog = 4096
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"
threads = 4
max_requests = 1000
max_requests_jitter = 100
timeout = 60
graceful_timeout = 20
preload_app = True
daemon = False
proc_name = "shop"
pidfile = "/tmp/shop.pid"
worker = 4  # meant to be "workers"

log = logging.getLogger("shop.gunicorn")


def on_starting(server):
    log.info("Starting shop with %d workers", workers)


def post_fork(server, worker):
    server.log.info("Worker spawned (pid: %s)", worker.pid)


def worker_abort(worker):
    worker.log.info("worker received SIGABRT: it timed out")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
