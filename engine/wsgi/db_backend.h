// engine/wsgi/db_backend.h — the small "database" behind /db?ms=N: a process
// the master starts on loopback that answers each query after N ms. It makes
// /db a real socket round trip, so upstream sockets show in the poll lists
// (blocking a thread in sync and gthread, parking a greenlet in the green
// models).
//
// Protocol: the client sends "N\n", the backend answers "ok N\n" N ms later.
// A connection carries its queries one after another; most clients send one
// and close (a connection per request), an app's import-time connection keeps
// it (--db-at-import).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace minicorn::wsgi {

// Starts the backend (bound to 127.0.0.1, a port the kernel picks) and returns
// its pid; `port` receives the port. Returns -1 (with `error` set) if it
// cannot start.
//
// It is forked twice, so it is no child of the caller: the master's children
// are its workers alone, as in gunicorn (`ps --ppid`, waitpid(-1) and
// anything counting them see only workers). It still dies with the caller:
// on SIGTERM (stop_db_backend), and when the caller exits in any way, kill -9
// included, because it watches a pidfd of the caller (PR_SET_PDEATHSIG would
// watch the intermediate process, gone at once). It stays in the caller's
// process group, so a kill of the group reaches it too.
pid_t start_db_backend(std::uint16_t& port, std::string* error);

// SIGTERM to the backend, then waits until it has gone (at most `timeout`).
// Not its parent, the caller cannot waitpid(); it polls a pidfd instead.
void stop_db_backend(pid_t pid, std::chrono::milliseconds timeout);

// The backend's port, as the workers know it (0: none started).
void set_db_port(std::uint16_t port);
std::uint16_t db_port();

// The query as a blocking thread makes it: connect, send, wait for the answer.
// Returns false (and a reason) if the backend cannot be reached.
bool db_query_blocking(std::uint32_t ms, std::string* error);

// One query on an open, blocking connection (an app's import-time one): send,
// then read the answer's line. `on_interrupt` runs when a signal interrupted
// the wait (it may throw, as a signal handler may end the process).
bool db_query_on(int fd, std::uint32_t ms, const std::function<void()>& on_interrupt, std::string* error);

}  // namespace minicorn::wsgi
