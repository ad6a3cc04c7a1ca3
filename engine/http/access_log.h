// engine/http/access_log.h — gunicorn 20.1's access-log line
// (gunicorn/glogging.py: Logger.atoms, SafeAtoms, Logger.access).
//
// The format is Python %-formatting against a mapping of "atoms":
//   %(h)s peer address   %(l)s "-"          %(u)s Basic-auth user
//   %(t)s [10/Oct/2026:13:55:36 +0200] (local time, when the line is written)
//   %(r)s "GET /x?y HTTP/1.1"  %(s)s status   %(m)s method  %(U)s path (decoded)
//   %(q)s query  %(H)s protocol  %(b)s body bytes or "-"  %(B)s the same or None
//   %(f)s Referer  %(a)s User-Agent  %(T)s %(M)s %(D)s %(L)s request time in
//   s / ms / µs / "s.µµµµµµ"  %(p)s "<pid>"
//   %({name}i)s request header, %({name}o)s response header, %({name}e)s
//   environ variable (names case-insensitive).
// A missing atom renders as "-", and '"' inside string atoms becomes '\"'.
// Text from the request (latin-1 bytes) is written as UTF-8, as gunicorn's
// log stream does.
//
// Pure functions; no threads. The caller writes the line (and the newline).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/http/request.h"

namespace minicorn::http {

inline constexpr std::string_view kDefaultAccessLogFormat =
    R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")";

struct AccessLogEntry {
    const Request* request = nullptr;          // required
    int status = 0;
    std::vector<Header> response_headers;      // Response::headers(): the app's, hop-by-hop removed
    std::optional<std::uint64_t> body_bytes;   // Response::sent(); nullopt = unknown ("-")
    std::chrono::system_clock::time_point request_start;  // just before the environ is built
    std::chrono::system_clock::time_point request_end;    // after the last write; also %(t)s
    long pid = 0;
    std::string remote_addr;                   // REMOTE_ADDR; "" = unknown ("-")
    // More environ entries, WSGI names ("REMOTE_PORT", "SERVER_NAME",
    // "SERVER_SOFTWARE"…); they override the ones derived from the request.
    std::vector<std::pair<std::string, std::string>> environ;
};

// nullopt if `format` is usable; otherwise why not, in words a CLI can print:
// malformed specifications with Python's own messages ("incomplete format",
// "unsupported format character 'y' (0x79) at index 4"), and — stricter than
// gunicorn, which silently prints "-" — unknown atom names, specifications
// without a name ("%s"), and numeric conversions of text atoms.
std::optional<std::string> validate_access_log_format(std::string_view format);

// The log line, without a newline. nullopt where Python's formatting would
// raise (gunicorn then prints a logging traceback instead of the line): a
// format validate_access_log_format refuses, or %(B)d with an unknown size.
std::optional<std::string> format_access_log(std::string_view format, const AccessLogEntry& entry);

// The user name from "Authorization: Basic base64(user:password)", or nullopt.
std::optional<std::string> basic_auth_user(std::string_view authorization);

}  // namespace minicorn::http
