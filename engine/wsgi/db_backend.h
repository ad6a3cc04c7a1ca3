// engine/wsgi/db_backend.h — the small "database" behind /db?ms=N: a process
// the master starts on loopback that answers each query after N ms. It makes
// /db a real socket round trip, so upstream sockets show in the poll lists
// (blocking a thread in sync and gthread, parking a greenlet in the green
// models).
//
// Protocol, one query per connection: the client sends "N\n", the backend
// answers "ok N\n" N ms later and closes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace minicorn::wsgi {

// Forks the backend (bound to 127.0.0.1, a port the kernel picks) and returns
// its pid; `port` receives the port. The backend exits when its parent dies
// or on SIGTERM. Returns -1 (with `error` set) if it cannot start.
pid_t start_db_backend(std::uint16_t& port, std::string* error);

// The backend's port, as the workers know it (0: none started).
void set_db_port(std::uint16_t port);
std::uint16_t db_port();

// The query as a blocking thread makes it: connect, send, wait for the answer.
// Returns false (and a reason) if the backend cannot be reached.
bool db_query_blocking(std::uint32_t ms, std::string* error);

}  // namespace minicorn::wsgi
