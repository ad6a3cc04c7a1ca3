// models/green/green_group.h — greenlets a view starts and waits for:
// gevent.joinall([gevent.spawn(t) for t in tasks]) in a green worker, and
// `await asyncio.gather(*tasks)` in the asyncio worker (its tasks are
// greenlets on the same hub).
//
// Each task becomes a greenlet, scheduled behind the ones already ready and
// tagged with the calling greenlet's connection, so the trace shows them as
// that request's (GreenSpawn: parent = the view's greenlet). The caller parks
// until the last one ends; the hub serves everything else meanwhile. A task's
// exception is kept and rethrown in the caller once all have ended (its
// greenlet ends quietly, as a gathered task's exception lands in gather()).
//
// Thread affinity: a greenlet (or the main fiber) of the calling thread's hub.
// Ownership: each greenlet holds a copy of its task and a share of the join
// state, so a caller killed while it waits leaves nothing dangling.
#pragma once

#include <span>

#include "engine/trace/event.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::models {

// Runs each task on a new greenlet with `runtime`; returns once all ended.
// `kind`: what the greenlets are as the loop's ready callbacks (asyncio's trace).
void spawn_and_join(std::span<const wsgi::Task> tasks, wsgi::Runtime& runtime, trace::LoopCallback kind);

}  // namespace minicorn::models
