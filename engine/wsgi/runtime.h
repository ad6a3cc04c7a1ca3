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
#include <functional>
#include <span>

namespace minicorn::wsgi {

class Gil;
class Runtime;
struct DbConnection;  // app_module.h

using Millis = std::chrono::milliseconds;

// A piece of the view's work that may run apart from the view itself (a
// greenlet, an asyncio task, a pool thread): it gets the Runtime of wherever
// it runs, and calls it with the GIL held, as the view does.
using Task = std::function<void(Runtime&)>;

// How the application's views are written where this Runtime runs.
enum class ViewStyle {
    Plain,      // `def view(request)`: a WSGI app (sync, gthread, gevent, eventlet, tornado's WSGIContainer)
    Coroutine,  // `async def view(request)`: an ASGI app on an asyncio loop (uvicorn)
};

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

    // What a view written for this worker looks like: /fanout gathers its
    // waits only in a coroutine view.
    virtual ViewStyle view_style() const = 0;

    // Starts every task at once and returns when all have finished:
    //   green (gevent, eventlet): gevent.joinall([gevent.spawn(t) for t in tasks]) —
    //     one greenlet each, on this hub;
    //   asyncio: await asyncio.gather(*tasks) — one task (greenlet) each, on this loop;
    //   an OS thread (nothing monkey-patched): the same gevent calls give greenlets
    //     whose unpatched waits block the thread, so the tasks run one after another.
    // A task that raises: the others still finish, then the first error is rethrown.
    virtual void spawn_all(std::span<const Task> tasks) = 0;

    // concurrent.futures.ThreadPoolExecutor(max_workers=len(tasks)), one task
    // submitted per worker, then wait for every future:
    //   an OS thread (sync, gthread, tornado) and asyncio: real OS threads, which
    //     share the GIL; the caller blocks (releasing the GIL) until all are done —
    //     under asyncio that holds up the whole loop, as a blocking call in an async view does;
    //   green (gevent, eventlet): `threading` is monkey-patched, so the "threads"
    //     are greenlets on this hub: spawn_all.
    virtual void thread_pool(std::span<const Task> tasks) = 0;

    // Runs pending signal handlers, as CPython does between bytecodes. May not
    // return (a handler can end the process, e.g. SIGABRT → exit 1).
    virtual void check_signals() = 0;
};

}  // namespace minicorn::wsgi
