// tests/support/keepalive_client.h — a client that keeps its connection
// open: one request at a time on an fd, its response read whole (head +
// Content-Length body), and what the server did with the connection since.
#pragma once

#include <string>
#include <string_view>

#include "tests/support/server_process.h"

namespace minicorn::testing {

// Reads one response (head + Content-Length body) from an open socket; what
// arrived before `timeout` or EOF if it is incomplete.
std::string read_response(int fd, Seconds timeout = 5s);
// Sends "GET path" (HTTP/1.1, keep-alive) on `fd` and reads its response.
std::string get_on(int fd, std::string_view path, Seconds timeout = 5s);
// True while the peer has neither closed `fd` nor sent anything on it.
bool still_open(int fd);
// Seconds until the peer closes `fd` (reads and discards), or -1 after `timeout`.
double seconds_until_eof(int fd, Seconds timeout);

}  // namespace minicorn::testing
