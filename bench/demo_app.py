"""WSGI twin of minicorn's demo app, for running the same routes under gunicorn.

Routes used by bench/run-bench:
  /           200 "Hello, World!"
  /io?ms=N    time.sleep(N/1000), then 200   (blocks a sync worker / thread)
  /cpu?ms=N   burn N ms of this thread's CPU time, then 200

Run:  /usr/bin/python3 -m gunicorn -b 127.0.0.1:8001 -w 2 -k sync --chdir bench demo_app:app
Stdlib only. Bodies and the ms rules (required, digits only, at most 600000) mirror
engine/wsgi/demo_app.cpp so both servers send the same bytes.
"""
import time
from urllib.parse import parse_qs

MAX_MS = 600_000  # kMaxMillis in engine/wsgi/demo_app.h


def _ms(environ):
    """N from ?ms=N, or None when missing, not a non-negative integer, or too large."""
    v = parse_qs(environ.get("QUERY_STRING", "")).get("ms", [""])[0]
    if not (v.isascii() and v.isdigit()) or int(v) > MAX_MS:
        return None
    return int(v)


def _reply(start_response, status, text):
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"),
                            ("Content-Length", str(len(body)))])
    return [body]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        return _reply(start_response, "200 OK", "Hello, World!")
    if path in ("/io", "/cpu"):
        ms = _ms(environ)
        if ms is None:
            return _reply(start_response, "400 Bad Request",
                          "parameter 'ms' must be an integer 0..%d (usage: %s?ms=N)\n"
                          % (MAX_MS, path))
        if path == "/io":
            time.sleep(ms / 1000)
            return _reply(start_response, "200 OK",
                          "io: slept %d ms in time.sleep() (patched: parks a greenlet, "
                          "blocks a thread)\n" % ms)
        end = time.thread_time() + ms / 1000   # CPU time of this thread, not wall time
        n = 0
        while time.thread_time() < end:
            n += 1
        return _reply(start_response, "200 OK",
                      "cpu: computed for %d ms of CPU time, holding the GIL\n" % ms)
    return _reply(start_response, "404 Not Found", "not found\n")
