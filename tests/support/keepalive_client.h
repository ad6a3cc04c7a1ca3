// tests/support/keepalive_client.h — a client on one kept-alive connection,
// for the scenarios that watch a worker keep (or close) it: send a GET, read
// exactly one response, see whether the server has closed.
//
// Blocking calls on the caller's thread, each bounded by its timeout. The fd
// is the caller's (connect_loopback); these never close it.
#pragma once

#include <string>
#include <string_view>

#include "tests/support/server_process.h"

namespace minicorn::testing {

// Reads one response (head + Content-Length body) from an open socket; what
// arrived by `timeout` if it is not complete by then.
std::string read_response(int fd, Seconds timeout = 5s);

// Sends "GET path HTTP/1.1" (no Connection header: keep-alive) and reads the response.
std::string get_on(int fd, std::string_view path, Seconds timeout = 5s);

// True while the peer has neither closed `fd` nor sent anything on it.
bool still_open(int fd);

// Seconds until the peer closes `fd` (reads and discards), or -1 after `timeout`.
double seconds_until_eof(int fd, Seconds timeout);

}  // namespace minicorn::testing
