#include "models/common/request_scope.h"

#include <charconv>
#include <string>

#include "engine/trace/emit.h"

namespace minicorn::models {

namespace {

// Costs one branch without a trace.
void tag_request(std::uint64_t conn_id, std::uint64_t req_id, const http::Request& req) {
    if (!trace::enabled()) return;
    const std::string* id = req.header("X-REQUEST-ID");
    if (id == nullptr || id->empty() || id->size() > 20) return;
    std::uint64_t client_id = 0;
    auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), client_id);
    if (ec != std::errc() || end != id->data() + id->size()) return;  // not a number: someone else's id
    trace::emit(trace::EventKind::RequestTagged, conn_id, req_id, static_cast<std::int64_t>(client_id));
}

}  // namespace

RequestScope RequestScope::parsed(IdSequences& ids, pid_t pid, std::uint64_t conn_id, const http::Request& req) {
    const std::uint64_t req_id = trace::make_id(pid, ids.req.fetch_add(1, std::memory_order_relaxed) + 1);
    trace::emit(trace::EventKind::Parsed, conn_id, req_id, req.version_major * 10 + req.version_minor,
                static_cast<std::int64_t>(req.content_length.value_or(0)));
    tag_request(conn_id, req_id, req);
    return RequestScope(conn_id, req_id);
}

void RequestScope::handler_start() const {
    trace::count(trace::CounterId::Requests);
    trace::emit(trace::EventKind::HandlerStart, conn_, req_);
}

void RequestScope::handler_end(int status, bool raised) const {
    trace::emit(trace::EventKind::HandlerEnd, conn_, req_, status, raised ? 1 : 0);
    if (raised) trace::count(trace::CounterId::Errors);
}

void RequestScope::write_start() const { trace::emit(trace::EventKind::WriteStart, conn_, req_); }

void RequestScope::write_done(std::uint64_t bytes, bool ok) const {
    trace::emit(trace::EventKind::WriteDone, conn_, req_, static_cast<std::int64_t>(bytes), ok ? 0 : 1);
    trace::count(trace::CounterId::BytesOut, bytes);
}

}  // namespace minicorn::models
