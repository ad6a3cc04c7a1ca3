// engine/wsgi/demo_fanout.h — two views of the demo app about concurrency
// INSIDE one request (the rest of the app is about concurrency across
// requests):
//
//   /fanout?n=N&ms=M[&spawn=1]
//       The view makes N I/O waits of M ms (patched sleeps, as N backend
//       round trips). How they run is how the view is written for its worker:
//         sync, gthread, gevent, eventlet: a plain WSGI view —
//             `for _ in range(n): time.sleep(ms)` — one after another: N×M ms;
//             a green worker serves other requests meanwhile, but this one
//             still waits for each call before making the next;
//         tornado: gunicorn's tornado worker runs a WSGI app in tornado's
//             WSGIContainer, so it is the same plain view, one after another,
//             on the IOLoop's thread (a native tornado handler awaiting each
//             call in turn, the usual way one is written, is as sequential;
//             only `await gen.multi([...])` would overlap them);
//         asyncio (uvicorn): an `async def` view —
//             `await asyncio.gather(*(asyncio.sleep(ms) for _ in range(n)))` —
//             N tasks on the loop, all waiting at once: ≈ M ms.
//       spawn=1: the view spawns a greenlet per call and joins them —
//             `gevent.joinall([gevent.spawn(time.sleep, ms) for _ in range(n)])`
//             — so under gevent and eventlet they overlap too (≈ M ms); on an
//             OS-thread worker nothing is monkey-patched and each greenlet's
//             sleep blocks the thread: N×M ms still.
//
//   /threads?n=N&ms=M[&work=cpu]
//       The view runs N tasks of M ms (time.sleep, or with work=cpu M ms of
//       pure-Python CPU) on its own concurrent.futures.ThreadPoolExecutor
//       (max_workers=N) and waits for them all:
//         sync, gthread, tornado, asyncio: N real OS threads (ThreadStart,
//             role app): the sleeps overlap (≈ M ms); the CPU work does not
//             while the GIL is on (≈ N×M ms; --gil off lets it overlap);
//             under asyncio the loop waits too — the view blocks it;
//         gevent, eventlet: `threading` is monkey-patched, so the executor's
//             "threads" are greenlets on the worker's one hub thread
//             (GreenSpawn): the sleeps overlap, the CPU work never does.
//       The body says how long it took and on how many OS threads the tasks ran.
//
// Both answer 400 naming a bad parameter; n is 1…kMaxFanout.
//
// Thread affinity: as every view: the handling thread (or greenlet), with
// the GIL held.
#pragma once

#include <cstdint>

#include "engine/wsgi/app.h"
#include "engine/wsgi/query.h"

namespace minicorn::wsgi {

inline constexpr std::uint64_t kMaxFanout = 100;
inline constexpr std::uint64_t kDefaultFanout = 3;
inline constexpr std::uint64_t kDefaultFanoutMillis = 500;

Response fanout(const Environ& env, const QueryParams& query);
Response threads(const Environ& env, const QueryParams& query);

}  // namespace minicorn::wsgi
