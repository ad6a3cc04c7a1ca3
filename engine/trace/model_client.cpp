// engine/trace/model_client.cpp — the client's events folded into the World
// (see model_client.h and docs/trace.md, "the built-in client").
#include "engine/trace/model_client.h"

#include <utility>

namespace minicorn::trace::detail {
namespace {

ClientConn& ensure_client(World& w, const Event& e) {
    auto [it, fresh] = w.clients.try_emplace(e.conn);
    if (fresh) {
        it->second.id = e.conn;
        it->second.pid = e.pid;
        it->second.connect_ns = e.t_ns;
        it->second.since_ns = e.t_ns;
    }
    return it->second;
}

void set_stage(ClientConn& c, ClientStage s, std::uint64_t t) {
    if (c.stage != s) c.since_ns = t;
    c.stage = s;
}

std::size_t status_class(std::int64_t status) {
    return (status >= 100 && status < 600) ? static_cast<std::size_t>(status / 100) : 0;
}

}  // namespace

void apply_client_event(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::ClientConnectStart: {
            ClientConn& c = ensure_client(w, e);
            c.vu = e.a0;
            c.role = static_cast<ClientRole>(e.a1);
            set_stage(c, ClientStage::Connecting, t);
            break;
        }
        case EventKind::ClientConnected: {
            ClientConn& c = ensure_client(w, e);
            c.local_port = e.a0;
            c.fd = e.a1;
            set_stage(c, ClientStage::Connected, t);
            ++w.client.connects;
            break;
        }
        case EventKind::ClientSendStart: {
            ClientConn& c = ensure_client(w, e);
            c.req = e.req;
            c.mix_index = e.a1;
            c.sent_ns = t;
            set_stage(c, ClientStage::Sending, t);
            ++w.client.sent;
            break;
        }
        case EventKind::ClientSendEnd:
            set_stage(ensure_client(w, e), ClientStage::Waiting, t);
            break;
        case EventKind::ClientFirstByte:
            set_stage(ensure_client(w, e), ClientStage::Receiving, t);
            break;
        case EventKind::ClientDone: {
            ClientConn& c = ensure_client(w, e);
            ++c.requests;
            c.last_status = e.a0;
            c.last_latency_us = e.a1;
            set_stage(c, ClientStage::Idle, t);
            ++w.client.done;
            if (e.a1 > 0) w.client.latency_us_sum += static_cast<std::uint64_t>(e.a1);
            ++w.client.by_status_class[status_class(e.a0)];
            break;
        }
        case EventKind::ClientError: {
            auto kind = static_cast<std::size_t>(e.a0);
            if (kind < kClientErrorKinds) ++w.client.errors[kind];
            if (e.conn == 0) break;  // e.g. no connection could be made at all
            ClientConn& c = ensure_client(w, e);
            ++c.errors;
            c.last_error = e.a0;
            set_stage(c, ClientStage::Idle, t);
            break;
        }
        case EventKind::ClientClose: {
            auto it = w.clients.find(e.conn);
            if (it == w.clients.end()) break;
            ClientConn c = std::move(it->second);
            w.clients.erase(it);
            set_stage(c, ClientStage::Closed, t);
            w.clients_closed.push_back(std::move(c));
            while (w.clients_closed.size() > kRecentClientsClosed) w.clients_closed.pop_front();
            break;
        }
        default:
            break;
    }
}

}  // namespace minicorn::trace::detail
