// engine/wsgi/app_threads.h — OS threads the application starts itself: the
// workers of a concurrent.futures.ThreadPoolExecutor made inside a view.
//
// Each task gets a thread of its own (ThreadPoolExecutor starts a new worker
// per submit while it has fewer than max_workers, and every submit comes
// before any task ends), traced as ThreadStart (role App) and ThreadExit, so
// the studio and a lesson can count them. A thread runs "Python": it takes
// the process's GIL before its task and gives it back when done, through a
// ThreadRuntime of its own (no signal handlers: CPython runs them on the main
// thread only).
//
// Thread affinity: call from the thread that runs the view, holding the GIL.
// Ownership: does not own the Gil; returns only after every thread it started
// has ended (so no task outlives the view's frame).
#pragma once

#include <span>

#include "engine/wsgi/gil.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi {

// Starts one OS thread per task, then releases the GIL and joins them all
// (Python's `wait(futures)`; unlike CPython's lock wait, a signal is handled
// only after the join, at most one task's time later), retakes the GIL and
// returns. If a task threw, the first error is rethrown once all have ended.
void run_on_app_threads(Gil& gil, std::span<const Task> tasks);

}  // namespace minicorn::wsgi
