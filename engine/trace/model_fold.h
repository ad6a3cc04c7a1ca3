// engine/trace/model_fold.h — the pieces of TraceModel::apply (model.h),
// internal to the model_*.cpp files: lookups and transitions every family
// shares, and one apply function per Family of the schema (kinds.h).
// TraceModel::apply dispatches on info(e.kind).family.
//
// Rules the fold keeps, because the events arrive merged from many processes
// and rings (some of them may have dropped events):
//   - events of a process it has not seen yet create it (a worker's WorkerBoot
//     can sort before the master's WorkerSpawn: both follow the same fork);
//   - a connection event for an unknown conn creates the connection;
//   - a state lasts until the next event that sets one: no timers, no guesses;
//   - lifecycle states (TimedOut, Exited) are sticky: a dying worker's last
//     phase events do not bring it back to "Handling".
//
// Pure functions of (World, Event); no threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <utility>

#include "engine/trace/event.h"
#include "engine/trace/world.h"

namespace minicorn::trace::fold {

// ---------------------------------------------------------------------------
// Lookups (model_fold.cpp)
// ---------------------------------------------------------------------------

inline pid_t tid_of(const Event& e) { return e.tid ? e.tid : e.pid; }

template <typename T>
void push_bounded(std::deque<T>& list, T value, std::size_t cap) {
    list.push_back(std::move(value));
    while (list.size() > cap) list.pop_front();
}

// The live process `pid`, created (Spawned, or Idle for the arbiter) if new.
Process& ensure_process(World& w, pid_t pid, std::uint64_t t);
Process* find_live(World& w, pid_t pid);
// The live process, else the most recently reaped one with that pid.
Process* find_any(World& w, pid_t pid);
// The emitter of a master-only event is the arbiter, whatever came before.
Process& note_arbiter(World& w, const Event& e);
Thread& ensure_thread(Process& p, pid_t tid, std::uint64_t t);
Greenlet& ensure_greenlet(Process& p, std::uint32_t id, std::uint64_t t);
void set_green_state(Greenlet& g, GreenState s, std::uint64_t t);
// The open connection e.conn, created (owned by the emitter) if unknown.
Connection& ensure_conn(World& w, const Event& e);

// ---------------------------------------------------------------------------
// Transitions (model_fold.cpp)
// ---------------------------------------------------------------------------

// The main thread's activity is the process's state while it runs.
void set_activity(Process& p, Thread& th, ThreadActivity a, std::uint64_t t);
void set_thread_conn(Process& p, Thread& th, std::uint64_t conn, std::uint64_t req);
void enter(Connection& c, ConnStage s, std::uint64_t t);
// A phase event of connection e.conn on the emitting thread: the thread (and
// its greenlet) now serve that connection, doing `a`.
Connection& conn_phase(World& w, const Event& e, ThreadActivity a);
// Moves an open connection to World::closed and takes it off its owner's
// lists: a closed fd is in no poll set, keep-alive list or queue.
void close_conn(World& w, std::uint64_t id, std::uint64_t t, bool aborted);
// WorkerReaped: the process leaves World::processes for World::gone; the
// kernel closed whatever connections it still held.
void reap(World& w, pid_t pid, std::int64_t status, std::uint64_t t);
// A thread's step in its loop (wait, accept, wake): it serves no connection phase now.
void loop_step(World& w, const Event& e, ThreadActivity a);
// An event of a kind without a GREEN column, emitted by greenlet e.green (≠ 0):
// that greenlet runs (the hub resumes a greenlet without a GreenSwitch when it
// was the last to run). model_green.cpp.
void note_running_green(World& w, const Event& e);

// ---------------------------------------------------------------------------
// One function per Family: each handles only the kinds of its family.
// ---------------------------------------------------------------------------

void apply_arbiter(World& w, const Event& e);      // model_process.cpp
void apply_worker(World& w, const Event& e);       // model_process.cpp
void apply_worker_loop(World& w, const Event& e);  // model_conn.cpp
void apply_connection(World& w, const Event& e);   // model_conn.cpp
void apply_threads(World& w, const Event& e);      // model_conn.cpp
void apply_poller(World& w, const Event& e);       // model_conn.cpp
void apply_green(World& w, const Event& e);        // model_green.cpp
void apply_gil(World& w, const Event& e);          // model_green.cpp
void apply_loop(World& w, const Event& e);         // model_green.cpp
void apply_bookkeeping(World& w, const Event& e);  // model_green.cpp
void apply_client(World& w, const Event& e);       // model_client.cpp

}  // namespace minicorn::trace::fold
