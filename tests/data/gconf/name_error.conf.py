import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2))
threads = worker * 2
