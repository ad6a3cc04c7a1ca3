// engine/trace/model_client.cpp — the fold of the built-in client's events
// (Family::Client) into World::client and World::clients (see model_fold.h,
// and docs/trace.md, "the built-in client").
#include <utility>

#include "engine/trace/ev.h"
#include "engine/trace/model_fold.h"

namespace minicorn::trace::fold {
namespace {

LoadConn& ensure_client(World& w, const Event& e) {
    auto [it, fresh] = w.clients.try_emplace(e.conn);
    if (fresh) {
        it->second.id = e.conn;
        it->second.pid = e.pid;
        it->second.connect_ns = e.t_ns;
        it->second.since_ns = e.t_ns;
    }
    return it->second;
}

void set_stage(LoadConn& c, ClientStage s, std::uint64_t t) {
    if (c.stage != s) c.since_ns = t;
    c.stage = s;
}

std::size_t status_class(std::int64_t status) {
    return (status >= 100 && status < 600) ? static_cast<std::size_t>(status / 100) : 0;
}

void on_client_start(World& w, const Event& e) {
    auto v = ev::ClientStart::decode(e);
    Process& p = ensure_process(w, e.pid, e.t_ns);
    p.role = ProcessRole::Client;
    p.state = ProcessState::Idle;
    w.client.pid = e.pid;
    w.client.started_ns = e.t_ns;
    w.client.virtual_users = v.virtual_users;
    w.client.rate = v.rate;
}

}  // namespace

void apply_client(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::ClientStart: on_client_start(w, e); break;
        case EventKind::ClientConnectStart: {
            auto v = ev::ClientConnectStart::decode(e);
            LoadConn& c = ensure_client(w, e);
            c.vu = v.vu;
            c.role = v.role.as<ClientRole>();
            set_stage(c, ClientStage::Connecting, t);
            break;
        }
        case EventKind::ClientConnected: {
            auto v = ev::ClientConnected::decode(e);
            LoadConn& c = ensure_client(w, e);
            c.local_port = v.local_port;
            c.fd = v.fd;
            set_stage(c, ClientStage::Connected, t);
            ++w.client.connects;
            break;
        }
        case EventKind::ClientSendStart: {
            auto v = ev::ClientSendStart::decode(e);
            LoadConn& c = ensure_client(w, e);
            c.req = v.req;
            c.mix_index = v.mix_index;
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
            auto v = ev::ClientDone::decode(e);
            LoadConn& c = ensure_client(w, e);
            ++c.requests;
            c.last_status = v.status;
            c.last_latency_us = v.latency_us;
            set_stage(c, ClientStage::Idle, t);
            ++w.client.done;
            if (v.latency_us > 0) w.client.latency_us_sum += static_cast<std::uint64_t>(v.latency_us.v);
            ++w.client.by_status_class[status_class(v.status)];
            break;
        }
        case EventKind::ClientError: {
            auto v = ev::ClientError::decode(e);
            auto kind = static_cast<std::size_t>(v.kind.v);
            if (kind < kClientErrorKinds) ++w.client.errors[kind];
            if (v.conn == 0) break;  // e.g. no connection could be made at all
            LoadConn& c = ensure_client(w, e);
            ++c.errors;
            c.last_error = v.kind;
            set_stage(c, ClientStage::Idle, t);
            break;
        }
        case EventKind::ClientClose: {
            auto it = w.clients.find(e.conn);
            if (it == w.clients.end()) break;
            LoadConn c = std::move(it->second);
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

}  // namespace minicorn::trace::fold
