"""bench/benchlib.py — what bench/run-bench, bench/suite.py and bench/run-load-bench share:
servers under test in their own process group (start, wait until they answer, settle,
stop with TERM then KILL, clean up on Ctrl-C), their CPU time from /proc, wrk runs parsed
from bench/wrk_report.lua, nginx from a temporary config, and the number formats.
Loopback only; python3 stdlib only."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk_report.lua"
GUNICORN_PYTHON = "/usr/bin/python3"   # Debian's python, where python3-gunicorn lives
HOST = "127.0.0.1"                      # loopback only, always
NGINX = "/usr/sbin/nginx"


class BenchError(Exception):
    """Something could not run: reported, exit status 2."""


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

def _group_members(pgid):
    """PIDs of live (non-zombie) processes in process group pgid, from /proc."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()   # after "pid (comm) "
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(d))
    return pids


def pid_cpu_seconds(pid):
    """CPU time (user + system) used so far by one process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid):
    """CPU time (user + system) used so far by the live processes of group pgid."""
    ticks = 0
    for pid in _group_members(pgid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        ticks += int(fields[11]) + int(fields[12])     # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """One server under test, in its own session/process group so it is not hit by the
    terminal's Ctrl-C and so that its workers can all be killed together."""

    def __init__(self, name, argv, port, logdir, env=None):
        self.name, self.argv, self.port, self.env = name, argv, port, env
        self.logpath = Path(logdir) / f"{name}.log"
        self.proc = None

    def start(self):
        with open(self.logpath, "wb") as out:
            try:
                self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env,
                                             stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as e:
                raise BenchError(f"{self.name}: cannot start {self.argv[0]}: {e}")
        _live_servers.append(self)

    def tail(self, n=25):
        try:
            lines = self.logpath.read_text(errors="replace").splitlines()
        except OSError:
            return "    (no output captured)"
        if not lines:
            return "    (no output)"
        return "\n".join("    " + l for l in lines[-n:])

    def get(self, path, timeout):
        c = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def wait_ready(self, bound):
        deadline = time.monotonic() + bound
        last = "no answer yet"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise BenchError(f"{self.name} exited (status {rc}) before answering on "
                                 f"{HOST}:{self.port}\n  command: {' '.join(self.argv)}\n"
                                 f"  output ({self.logpath.name}, last lines):\n{self.tail()}")
            try:
                status, _ = self.get("/", timeout=1.0)
                if status == 200:
                    return
                last = f"GET / answered {status}"
            except OSError as e:
                last = str(e)
            time.sleep(0.1)
        raise BenchError(f"{self.name} did not answer GET / with 200 on {HOST}:{self.port} "
                         f"within {bound:g} s ({last})\n  command: {' '.join(self.argv)}\n"
                         f"  output ({self.logpath.name}, last lines):\n{self.tail()}")

    def open_connections(self):
        """Server-side TCP connections on our port the server has not closed yet
        (ESTABLISHED or CLOSE_WAIT), from /proc/net/tcp{,6}."""
        n = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        fields = line.split()
                        local_port = int(fields[1].rsplit(":", 1)[1], 16)
                        if local_port == self.port and fields[3] in ("01", "08"):
                            n += 1
            except OSError:
                pass
        return n

    def settle(self, bound=30.0):
        """After a run, wait until requests wrk left queued have been served (a sync
        worker still serves requests whose client has gone), so the next run starts on
        an idle server. Done when the server has closed every connection of the run
        and GET / comes back in under 25 ms. The first test matters for tornado: a
        worker still serving the abandoned requests of the last run cannot accept, so
        a GET goes to the idle one and comes back fast, and the next run's 100
        connections would all land on that one worker (docs/engine.md, tornado)."""
        deadline = time.monotonic() + bound
        while self.open_connections() > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                self.get("/", timeout=max(0.1, deadline - t0))
                if time.monotonic() - t0 < 0.025:
                    time.sleep(0.3)
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self, bound):
        """TERM the master (it stops its workers, as gunicorn's arbiter does), wait up to
        `bound` s, then KILL whatever is left in the process group."""
        if self.proc is None:
            return []
        pid = self.proc.pid
        try:
            if self.proc.returncode is None:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                # Wait without reaping: the zombie keeps pid/pgid reserved for killpg.
                deadline = time.monotonic() + bound
                while time.monotonic() < deadline:
                    if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
                        break
                    time.sleep(0.05)
            for _ in range(20):                       # the master is gone or hung: sweep
                if not _group_members(pid):
                    break
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                time.sleep(0.05)
            try:
                self.proc.wait(timeout=bound)
            except subprocess.TimeoutExpired:
                pass
            return _group_members(pid)
        finally:
            if self in _live_servers:
                _live_servers.remove(self)


_live_servers = []
_live_wrk = []


def cleanup(bound):
    """Stop every server and wrk we started. Called from `finally`, Ctrl-C ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for p in list(_live_wrk):
        if p.poll() is None:
            p.kill()
            p.wait()
    left = []
    for s in list(_live_servers):
        left += s.stop(bound)
    if left:
        log(f"warning: processes still alive after stop: {left}")


def free_ports(n):
    ports = set()
    while len(ports) < n:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            ports.add(s.getsockname()[1])
    return sorted(ports)


# ---------------------------------------------------------------- wrk

def wrk_argv(sc, duration, url):
    argv = ["wrk", f"-t{sc['threads']}", f"-c{sc['connections']}", f"-d{duration}s"]
    if sc["timeout"]:
        argv += ["--timeout", sc["timeout"]]
    return argv + ["-s", str(LUA), url]


def shown(argv):
    """A wrk command line as a person would type it from the repo root."""
    return " ".join(os.path.relpath(a, ROOT) if a == str(LUA) else a for a in argv)


def run_wrk(argv, duration):
    log(f"    $ {shown(argv)}")
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _live_wrk.append(p)
    try:
        out, _ = p.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise BenchError(f"wrk did not finish within {duration + 30} s: {shown(argv)}")
    except BaseException:              # Ctrl-C/TERM mid-run: the wrk goes too, now
        p.kill()
        p.wait()
        raise
    finally:
        _live_wrk.remove(p)
    m = re.search(r"^MINICORN_BENCH (.*)$", out, re.M)
    if p.returncode != 0 or not m:
        raise BenchError(f"wrk failed (status {p.returncode}): {shown(argv)}\n"
                         + "\n".join("    " + l for l in out.strip().splitlines()[-15:]))
    r = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    r["sock_errors"] = int(r["connect"] + r["read"] + r["write"] + r["timeout"])
    r["http_errors"] = int(r["status"])
    r["wrk"] = shown(argv)
    return r



def gunicorn_env():
    env = dict(os.environ)
    for k in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"):   # keep pyenv & co. out
        env.pop(k, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"                      # no bench/__pycache__
    return env



def fmt_lat(us):
    if us >= 1e6:
        return f"{us / 1e6:.2f}s"
    if us >= 1e3:
        return f"{us / 1e3:.2f}ms"
    return f"{us:.0f}us"


def fmt_sock(r):
    if not r["sock_errors"]:
        return "0"
    parts = [f"{k[0]}{int(r[k])}" for k in ("connect", "read", "write", "timeout") if r[k]]
    return f"{r['sock_errors']} ({' '.join(parts)})"



# ---------------------------------------------------------------- nginx

NGINX_CONF = """daemon off;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    server {{
        listen {host}:{port};
        root {dir}/www;
        index index.html;
    }}
}}
"""


def nginx_server(logdir, workers=1, name="nginx"):
    """nginx-light serving a 13-byte "Hello, World!" index.html on a free loopback port,
    keep-alive on, no access log, from a config written under logdir."""
    if not os.access(NGINX, os.X_OK):
        raise BenchError(f"{NGINX} not found: install the Debian package nginx-light")
    port = free_ports(1)[0]
    d = Path(logdir) / name
    (d / "www").mkdir(parents=True, exist_ok=True)
    (d / "tmp").mkdir(exist_ok=True)
    (d / "www" / "index.html").write_text("Hello, World!")
    # nginx's workers drop to an unprivileged user when started as root: let them read it.
    for p in (Path(logdir), d, d / "www", d / "www" / "index.html"):
        p.chmod(0o755)
    (d / "nginx.conf").write_text(NGINX_CONF.format(dir=d, host=HOST, port=port, workers=workers))
    return Server(name, [NGINX, "-c", str(d / "nginx.conf"), "-p", str(d)], port, logdir)
