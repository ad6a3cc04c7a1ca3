// tests/http/raw_client.h — a raw loopback client for [process] HTTP tests
// that need to control each byte and each wait: send part of a request, read
// an interim answer, send the rest; and the worker's peak memory.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "tests/support/server_process.h"

namespace minicorn::http::testing {

using minicorn::testing::Seconds;

// Sends all of `data`; false once the peer is gone (EPIPE, ECONNRESET).
bool send_bytes(int fd, std::string_view data);
// Sends `total` bytes of 'x' in 64 KiB pieces; stops early when the peer is
// gone. Returns how many were sent.
std::size_t send_filler(int fd, std::size_t total);
// Appends what arrives to `data` until it contains `needle` (true), or the
// peer closes or `timeout` passes (false).
bool read_until(int fd, std::string& data, std::string_view needle, Seconds timeout);
// Appends what arrives until the peer closes or resets the connection (true),
// or `timeout` passes (false).
bool read_to_close(int fd, std::string& data, Seconds timeout);
// Reads one response whose body has a Content-Length; "" on timeout.
std::string read_response(int fd, Seconds timeout);
// The process's peak resident set (VmHWM), in KiB; -1 if it is gone.
long peak_rss_kib(pid_t pid);

}  // namespace minicorn::http::testing
