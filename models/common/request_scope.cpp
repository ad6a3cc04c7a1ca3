#include "models/common/request_scope.h"

#include <charconv>
#include <string>

#include "engine/trace/ev.h"

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
    trace::ev::RequestTagged{.conn = conn_id, .req = req_id, .client_req = client_id}.emit();
}

}  // namespace

RequestScope RequestScope::parsed(IdSequences& ids, pid_t pid, std::uint64_t conn_id, const http::Request& req) {
    const std::uint64_t req_id = trace::make_id(pid, ids.req.fetch_add(1, std::memory_order_relaxed) + 1);
    trace::ev::Parsed{.conn = conn_id, .req = req_id, .http = req.version_major * 10 + req.version_minor,
                      .body_bytes = static_cast<std::int64_t>(req.content_length.value_or(0))}.emit();
    tag_request(conn_id, req_id, req);
    return RequestScope(conn_id, req_id);
}

void RequestScope::handler_start() const {
    trace::count(trace::CounterId::Requests);
    trace::ev::HandlerStart{.conn = conn_, .req = req_}.emit();
}

void RequestScope::handler_end(int status, bool raised) const {
    trace::ev::HandlerEnd{.conn = conn_, .req = req_, .status = status, .raised = raised}.emit();
    if (raised) trace::count(trace::CounterId::Errors);
}

void RequestScope::write_start() const { trace::ev::WriteStart{.conn = conn_, .req = req_}.emit(); }

void RequestScope::write_done(std::uint64_t bytes, bool ok) const {
    trace::ev::WriteDone{.conn = conn_, .req = req_, .bytes = bytes, .peer_gone = !ok}.emit();
    trace::count(trace::CounterId::BytesOut, bytes);
}

}  // namespace minicorn::models
