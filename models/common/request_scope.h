// models/common/request_scope.h — one request's life in the trace, told the
// same way by every model: its id (minted from the process's sequence), then
// Parsed (+ RequestTagged), the handler's start and end, the write's start
// and end, and the counters that go with them.
//
// A RequestScope is a small value: a model that answers later (tornado, whose
// write may finish on a later loop turn) keeps it with the connection. Any
// thread; the sequence is atomic.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>

#include "engine/http/request.h"

namespace minicorn::models {

// A worker process's id sequences (trace::make_id(pid, n)).
struct IdSequences {
    std::uint32_t conn = 0;               // connections: numbered by the accepting thread only
    std::atomic<std::uint32_t> req{0};    // requests: numbered by any serving thread
};

class RequestScope {
public:
    RequestScope() = default;

    // The head is parsed: mints the request id, emits Parsed (a1 = the
    // declared body length, 0 when chunked) and, for the built-in client's
    // `X-Request-Id: <n>`, RequestTagged (a0 = n), which joins the two lanes.
    static RequestScope parsed(IdSequences& ids, pid_t pid, std::uint64_t conn_id, const http::Request& req);

    std::uint64_t id() const { return req_; }

    void handler_start() const;                      // + counts the request
    void handler_end(int status, bool raised) const;  // raised: + counts an error
    void write_start() const;
    void write_done(std::uint64_t bytes, bool ok) const;  // + counts the bytes

private:
    RequestScope(std::uint64_t conn, std::uint64_t req) : conn_(conn), req_(req) {}
    std::uint64_t conn_ = 0;
    std::uint64_t req_ = 0;
};

}  // namespace minicorn::models
