// engine/wsgi/runtime.h — the simulated Python runtime seen by application code.
//
// The demo application never sleeps, blocks or computes directly: it asks the
// Runtime of the thread it runs on, the way Python code calls time.sleep() or
// a C extension. Each worker model supplies the Runtime that gives those calls
// their real meaning there:
//   - an OS thread (sync, gthread): sleep() releases the GIL and blocks the thread;
//   - a greenlet (gevent, eventlet; later issues): sleep() is monkey-patched and
//     parks only the greenlet, while block() still blocks the whole hub.
//
// Thread affinity: a Runtime belongs to one OS thread; call it only from there.
// The GIL: call with the GIL held (the worker takes it before calling the
// application); each call returns with it held, also when it throws.
#pragma once

#include <chrono>

namespace minicorn::wsgi {

class Gil;
struct DbConnection;  // app_module.h

using Millis = std::chrono::milliseconds;

class Runtime {
public:
    virtual ~Runtime() = default;

    // time.sleep(ms) as the worker model patches it. Releases the GIL.
    virtual void sleep(Millis ms) = 0;

    // An unpatched blocking C call (e.g. a driver without gevent support):
    // releases the GIL but blocks the OS thread, whatever the model.
    virtual void block(Millis ms) = 0;

    // A query to the /db backend that answers after `ms`: a real socket round
    // trip — it blocks a thread (GIL released), or parks a greenlet.
    virtual void db(Millis ms) = 0;

    // The same query on the connection the app opened when it was imported
    // (--db-at-import). A patched connection parks a greenlet as db() does; an
    // unpatched one (opened by the master before the worker patched) is a
    // plain blocking socket: it blocks the OS thread — a hub too.
    virtual void db_on(const DbConnection& conn, Millis ms) = 0;

    // Pure-Python busy work for `ms` of this thread's CPU time (not wall time),
    // holding the GIL and giving it up when another thread has waited a switch
    // interval, as CPython does.
    virtual void cpu(Millis ms) = 0;

    // Never returns (until a signal ends the process): an app stuck for good.
    [[noreturn]] virtual void hang() = 0;

    // Runs pending signal handlers, as CPython does between bytecodes. May not
    // return (a handler can end the process, e.g. SIGABRT → exit 1).
    virtual void check_signals() = 0;
};

}  // namespace minicorn::wsgi
