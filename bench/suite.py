"""bench/suite.py — `make bench` (`bench/run-bench --all`): every speed target of issue 12,
side by side, in one run.

What it runs (each a fresh server on a free loopback port, wrk -t1, then the server is
stopped; all runs of one repeat in a fixed order, the order reversed on the next repeat,
the median of N reported):

  sync      gunicorn 20.1 -k sync -w 2 and minicorn -k sync -w 2, GET /, c=10 (the sync
            worker answers Connection: close: one TCP connection per request)
  keepalive nginx (2 worker processes, a static "Hello, World!") and minicorn -w 2 per
            model (gthread --threads 4, gevent, eventlet, asyncio, tornado), GET /, c=100
  trace     each minicorn run above again with `--trace FILE` (a region attached, drained
            by the collector into a recording), measured in off/on PAIRS: the untraced and
            the traced server run back to back (which goes first alternates), each pair gives
            one ratio, and the verdict is the median of the pairs' ratios (--trace-pairs,
            default 5), printed with every pair's ratio — the machine's drift between two
            runs minutes apart is no longer inside the ratio
  io50      GET /io?ms=50, c=100, wrk --timeout 10s: sync -w 2, gthread -w 2 --threads 4,
            gevent -w 2, eventlet -w 2 (the concurrency bands of bench/README.md)
  idle      bench/run-idle-bench: RSS per idle keep-alive connection, 10,000 on one gevent
            worker
  emit      build/bin/minicorn_trace_bench: nanoseconds per trace emit

The figure that matters is the server's CPU per request: utime + stime of every process
of the server's processes (master, workers, the /db backend) read from /proc before and
after the wrk run, divided by the requests served. With --trace the process started is the
observer that forks the master and runs the collector (the studio's part, in the studio):
its CPU is measured apart and printed beside the server's, not judged.
On 2 shared cores one wrk thread is the limit for req/s long before a fast server is, so
req/s is shown but not judged, except for io50 (a concurrency band, not a speed).
A missed target is reported, never a failure.
"""
import importlib.machinery
import importlib.util
import json
import os
import re
import statistics
import subprocess
from pathlib import Path

from benchlib import (BENCH_DIR, GUNICORN_PYTHON, HOST, BenchError, Server, free_ports,
                      group_cpu_seconds, gunicorn_env, log, nginx_server, pid_cpu_seconds, run_wrk,
                      wrk_argv)

HELLO_C10 = dict(path="/", threads=1, connections=10, timeout=None)
HELLO_C100 = dict(path="/", threads=1, connections=100, timeout=None)
IO50 = dict(path="/io?ms=50", threads=1, connections=100, timeout="10s")

SYNC_CPU_RATIO = 6.0        # gunicorn sync CPU/req / minicorn sync CPU/req, at least
KA_BEST, KA_EACH = 1.5, 2.0  # minicorn CPU/req / nginx's, keep-alive: best of four, each
KA_JUDGED = ("gthread", "gevent", "eventlet", "asyncio")
TRACE_EXTRA = 0.15          # CPU/req with --trace over without, at most
IDLE_KIB = 4.5              # per idle keep-alive connection, at most
EMIT_NS = 100.0             # per emit, below
IO50_BANDS = {"sync": (36, 42), "gthread": (150, 165), "gevent": (1850, None),
              "eventlet": (1850, None)}
KA_MODELS = ("gthread", "gevent", "eventlet", "asyncio", "tornado")
EXTRA_ARGS = {"gthread": ["--threads", "4"]}


class Run:
    """One cell of the table: a server configuration and the wrk load it gets."""

    def __init__(self, key, group, label, scenario, make):
        self.key, self.group, self.label, self.scenario, self.make = key, group, label, scenario, make
        self.results = []
        self.pair_ratios = []  # traced runs: CPU/req on / off - 1, one per off/on pair

    def median(self, field):
        return statistics.median(r[field] for r in self.results) if self.results else None


def minicorn_run(args, group, klass, scenario, traced=False):
    def make(logdir, n):
        port = free_ports(1)[0]
        argv = [args.minicorn, "serve", "-b", f"{HOST}:{port}", "-w", "2", "-k", klass]
        argv += EXTRA_ARGS.get(klass, []) + args.minicorn_arg
        if traced:
            argv += ["--trace", str(Path(logdir) / f"run{n}.rec")]
        return Server(f"minicorn-{klass}{'-trace' if traced else ''}-{n}", argv, port, logdir)
    key = f"{group}/{klass}{'+trace' if traced else ''}"
    label = f"minicorn {klass}{' ' + ' '.join(EXTRA_ARGS[klass]) if klass in EXTRA_ARGS else ''}"
    return Run(key, group, label + (" --trace" if traced else ""), scenario, make)


def gunicorn_run(args):
    def make(logdir, n):
        port = free_ports(1)[0]
        argv = [GUNICORN_PYTHON, "-m", "gunicorn", "-b", f"{HOST}:{port}", "-w", "2", "-k", "sync",
                "--chdir", str(BENCH_DIR)] + args.gunicorn_arg + ["demo_app:app"]
        return Server(f"gunicorn-{n}", argv, port, logdir, gunicorn_env())
    return Run("sync/gunicorn", "sync", "gunicorn 20.1 sync", HELLO_C10, make)


def nginx_run():
    return Run("keepalive/nginx", "keepalive", "nginx (2 workers)", HELLO_C100,
               lambda logdir, n: nginx_server(logdir, workers=2, name=f"nginx-{n}"))


def plan(args):
    runs = []
    models = getattr(args, "models", None) or ("sync",) + KA_MODELS  # --model: only these minicorn lines
    if ("sync" in args.groups or "trace" in args.groups) and "sync" in models:
        if "sync" in args.groups:
            runs.append(gunicorn_run(args))
        runs.append(minicorn_run(args, "sync", "sync", HELLO_C10))
    if "trace" in args.groups and "sync" in models:
        runs.append(minicorn_run(args, "sync", "sync", HELLO_C10, traced=True))
    if "keepalive" in args.groups or "trace" in args.groups:
        if "keepalive" in args.groups:
            runs.append(nginx_run())
        for k in (k for k in KA_MODELS if k in models):
            runs.append(minicorn_run(args, "keepalive", k, HELLO_C100))
            if "trace" in args.groups:
                runs.append(minicorn_run(args, "keepalive", k, HELLO_C100, traced=True))
    if "io50" in args.groups:
        runs += [minicorn_run(args, "io50", k, IO50) for k in IO50_BANDS]
    return runs


def measure(run, args, logdir, n):
    s = run.make(logdir, n)
    s.start()
    try:
        s.wait_ready(args.startup_timeout)
        s.settle()
        # With --trace, the process we start is the observer: it forks the master
        # and runs the collector. Its CPU is the observer's (in the studio, the
        # studio's), not the server's; it is measured apart.
        traced = run.key.endswith("+trace")
        cpu0 = group_cpu_seconds(s.proc.pid)
        obs0 = pid_cpu_seconds(s.proc.pid) if traced else 0.0
        url = f"http://{HOST}:{s.port}{run.scenario['path']}"
        r = run_wrk(wrk_argv(run.scenario, args.duration, url), args.duration)
        observer = pid_cpu_seconds(s.proc.pid) - obs0 if traced else 0.0
        cpu = group_cpu_seconds(s.proc.pid) - cpu0 - observer
        if s.proc.poll() is not None:
            raise BenchError(f"{s.name} died during its run (status {s.proc.returncode})\n{s.tail()}")
    finally:
        left = s.stop(args.stop_timeout)
        if left:
            log(f"warning: {s.name} left processes {left}")
        for rec in Path(logdir).glob(f"run{n}.rec*"):
            rec.unlink()
    r["cpu_us"] = cpu * 1e6 / r["requests"] if r["requests"] else 0.0
    r["observer_us"] = observer * 1e6 / r["requests"] if r["requests"] else 0.0
    run.results.append(r)
    log(f"       {run.label}: {r['rps']:,.0f} req/s, server CPU {r['cpu_us']:.1f} us/req, "
        f"errors {r['sock_errors'] + r['http_errors']}")


def load_script(name):
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), str(BENCH_DIR / name))
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(mod)
    return mod


def idle_kib(args):
    idle = load_script("run-idle-bench")
    idle.raise_nofile()
    return idle.run("minicorn -k gevent", [args.minicorn, "serve", "-b", "127.0.0.1:PORT", "-w", "1",
                                           "-k", "gevent", "--keep-alive", "600",
                                           "--worker-connections", "10100"], 10000, "gevent")


def emit_ns(args):
    exe = Path(args.minicorn).with_name("minicorn_trace_bench")
    if not exe.exists():
        raise BenchError(f"{exe} is missing: run make first")
    out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120).stdout
    m = re.search(r"([\d.]+)\s*ns per emit", out) or re.search(r"([\d.]+)\s*ns", out)
    if not m:
        raise BenchError(f"cannot read ns per emit from minicorn_trace_bench:\n{out}")
    return float(m.group(1))


# ---------------------------------------------------------------- verdicts

def judge(ok):
    return "MET" if ok else "MISSED"


def spread(run, field="cpu_us"):
    vals = [r[field] for r in run.results]
    return f"{min(vals):.1f}..{max(vals):.1f}" if len(vals) > 1 else ""


def row(run, ratio="", target="", verdict=""):
    errs = sum(r["sock_errors"] + r["http_errors"] for r in run.results)
    return (f"{run.label:<34}{run.median('rps'):>10,.0f}{run.median('cpu_us'):>9.1f}us"
            f"{spread(run):>13}{errs:>7}  {ratio:<10}{target:<16}{verdict}")


def report(runs, extras, args):
    by = {r.key: r for r in runs}
    lines = []
    hdr = (f"{'server':<34}{'req/s':>10}{'CPU/req':>11}{'CPU range':>13}{'errors':>7}  "
           f"{'ratio':<10}{'target':<16}verdict")
    def section(title):
        lines.extend(["", title, hdr, "-" * len(hdr)])
    if "sync/gunicorn" in by and "sync/sync" in by:
        section("sync hello, Connection: close, wrk -t1 -c10 (ratio = gunicorn CPU/req / minicorn's)")
        gu, mc = by["sync/gunicorn"], by["sync/sync"]
        lines.append(row(gu))
        r = gu.median("cpu_us") / mc.median("cpu_us")
        lines.append(row(mc, f"{r:.2f}x", f">= {SYNC_CPU_RATIO:g}x", judge(r >= SYNC_CPU_RATIO)))
    if "keepalive/nginx" in by:
        section("keep-alive hello, wrk -t1 -c100 (ratio = minicorn CPU/req / nginx's)")
        ng = by["keepalive/nginx"]
        lines.append(row(ng))
        judged = []
        for k in KA_MODELS:
            mc = by.get(f"keepalive/{k}")
            if not mc:
                continue
            r = mc.median("cpu_us") / ng.median("cpu_us")
            if k in KA_JUDGED:
                judged.append((r, k))
                lines.append(row(mc, f"{r:.2f}x", f"<= {KA_EACH:g}x", judge(r <= KA_EACH)))
            else:
                lines.append(row(mc, f"{r:.2f}x", "(not judged)"))
        if judged:
            best, k = min(judged)
            lines.append(f"{'best of ' + ', '.join(KA_JUDGED):<76}{best:.2f}x ({k})"
                         f"{'':<2}<= {KA_BEST:g}x{'':<9}{judge(best <= KA_BEST)}")
    traced = [r for r in runs if r.key.endswith("+trace")]
    if traced:
        section("tracing on vs off, off/on pairs back to back (ratio = median over the pairs of server "
                "CPU/req with --trace / without; the server is the master, its workers and /db — the "
                "collector is the observer's, shown apart)")
        for t in traced:
            off = by[t.key.removesuffix("+trace")]
            extra = statistics.median(t.pair_ratios)
            lines.append(row(off))
            lines.append(row(t, f"{100 * extra:+.0f}%", f"<= +{100 * TRACE_EXTRA:g}%",
                             judge(extra <= TRACE_EXTRA)))
            lines.append(f"{'':<4}each pair: {' '.join(f'{100 * x:+.0f}%' for x in sorted(t.pair_ratios))}"
                         f" (spread {100 * (max(t.pair_ratios) - min(t.pair_ratios)):.0f} points)")
            whole = (t.median("cpu_us") + t.median("observer_us")) / off.median("cpu_us") - 1
            lines.append(f"{'':<4}the collector (observer process): {t.median('observer_us'):.1f} us/req more; "
                         f"server + observer together {100 * whole:+.0f}% (not judged)")
    io = [r for r in runs if r.group == "io50"]
    if io:
        section("io50: GET /io?ms=50, wrk -t1 -c100 --timeout 10s (judged on req/s, a band)")
        for run in io:
            lo, hi = IO50_BANDS[run.key.split("/")[1]]
            rps = run.median("rps")
            band = f"{lo}-{hi} req/s" if hi else f">= {lo} req/s"
            lines.append(row(run, "", band, judge(rps >= lo and (hi is None or rps <= hi))))
    if "idle" in extras:
        lines += ["", f"idle keep-alive, 10,000 connections, one gevent worker: {extras['idle']:.2f} KiB per "
                      f"connection (target <= {IDLE_KIB:g}): {judge(extras['idle'] <= IDLE_KIB)}"]
    if "emit" in extras:
        lines += [f"trace emit: {extras['emit']:.1f} ns per event (target < {EMIT_NS:g}): "
                  f"{judge(extras['emit'] < EMIT_NS)}"]
    lines += ["", f"Medians of {args.repeat} run(s) per line ({args.trace_pairs} for a line in an off/on "
              f"pair), {args.duration} s each. CPU/req = utime+stime "
              "of the server's whole process group over the wrk run / requests served (the robust "
              "figure); req/s is the client's limit on 2 shared cores (not judged, io50 aside). "
              f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}."]
    print("\n".join(lines))


def trace_pairs(runs):
    """(off, on) for every traced run: measured back to back, not in the repeat loop."""
    by = {r.key: r for r in runs}
    return [(by[t.key.removesuffix("+trace")], t) for t in runs if t.key.endswith("+trace")]


def measure_pairs(pairs, args, logdir, n):
    """Each (off, on) pair `args.trace_pairs` times, back to back; the order within a pair
    and the order of the models alternate. Returns the run counter."""
    for p in range(args.trace_pairs):
        log(f"== trace pairs {p + 1} of {args.trace_pairs}")
        for off, on in (pairs if p % 2 == 0 else pairs[::-1]):
            for run in ((off, on) if p % 2 == 0 else (on, off)):
                n += 1
                measure(run, args, logdir, n)
            on.pair_ratios.append(on.results[-1]["cpu_us"] / off.results[-1]["cpu_us"] - 1)
    return n


def run_all(args, logdir):
    """Every run of the plan, args.repeat times interleaved, the trace group's off/on pairs,
    then idle and emit; prints the table."""
    runs = plan(args)
    pairs = trace_pairs(runs)
    paired = {r.key for pair in pairs for r in pair}
    loop = [r for r in runs if r.key not in paired]
    log(f"run-bench --all: {len(loop)} runs x {args.repeat} repeat(s) and {len(pairs)} off/on pairs x "
        f"{args.trace_pairs}, {args.duration} s each; groups {' '.join(args.groups)}")
    n = 0
    for rep in range(args.repeat if loop else 0):
        log(f"== repeat {rep + 1} of {args.repeat}")
        for run in (loop if rep % 2 == 0 else loop[::-1]):
            n += 1
            measure(run, args, logdir, n)
    measure_pairs(pairs, args, logdir, n)
    extras = {}
    if "idle" in args.groups:
        log("== idle keep-alive connections (bench/run-idle-bench)")
        extras["idle"] = idle_kib(args)
    if "emit" in args.groups:
        log("== trace emit cost (minicorn_trace_bench)")
        extras["emit"] = statistics.median(emit_ns(args) for _ in range(args.repeat))
    report(runs, extras, args)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "duration_s": args.duration, "repeat": args.repeat, "extras": extras,
            "runs": [{"key": r.key, "label": r.label, "cpu_us": r.median("cpu_us"), "rps": r.median("rps"),
                      "pair_ratios": r.pair_ratios,
                      "runs": [{k: x[k] for k in ("rps", "cpu_us", "requests", "sock_errors", "http_errors")}
                               for x in r.results]} for r in runs]}, indent=2) + "\n")
    return runs, extras


GROUPS = ("sync", "keepalive", "trace", "io50", "idle", "emit")
