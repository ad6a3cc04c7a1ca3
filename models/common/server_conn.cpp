// models/common/server_conn.cpp — accepting a connection (traced) and the
// error-page write; see server_conn.h.
#include "models/common/server_conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "engine/trace/emit.h"

namespace minicorn::models {

AcceptResult accept_client(const net::Listener& listener, pid_t pid, std::uint32_t& conn_seq, ServerConn& out,
                           process::Logger& /*log: the caller logs an Exhausted episode once*/) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    trace::emit(trace::EventKind::AcceptAttempt, 0, 0, listener.fd());
    int client = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (client < 0) {
        int err = errno;
        trace::emit(trace::EventKind::AcceptEagain, 0, 0, err);
        switch (err) {
            case EAGAIN:
            case EINTR:
                return AcceptResult::Empty;
            case ECONNABORTED:  // the client gave up while queued
                return AcceptResult::Failed;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                return AcceptResult::Exhausted;
            default:
                sys::die_bug("accept() on the listening socket");
        }
    }
    out.fd.reset(client);
    out.listener = &listener;
    out.buffer.clear();
    out.requests = 0;
    char ip[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        out.peer_port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        out.peer_port = ntohs(in6->sin6_port);
    } else {
        out.peer_port = 0;
    }
    out.peer_ip = ip;
    out.id = trace::make_id(pid, ++conn_seq);
    if (trace::enabled()) {
        trace::emit(trace::EventKind::Accepted, out.id, 0, out.peer_port, listener.fd());
        trace::count(trace::CounterId::Accepted);
        // A sample at most once a millisecond per worker: under load a getsockopt per
        // accept (sync: per request) was ~3% of a traced worker's CPU; a lesson's slow
        // accepts are each sampled still. Wall time, not engine time: a closed gate
        // stops engine time, and a stepped lesson must still see every sample.
        static thread_local std::chrono::steady_clock::time_point last_sample{};
        const auto now = std::chrono::steady_clock::now();
        net::AcceptQueue q;
        if (now - last_sample >= std::chrono::milliseconds(1) && net::read_accept_queue(listener.fd(), q)) {
            last_sample = now;
            trace::emit(trace::EventKind::AcceptQueueSample, 0, 0, q.length, q.backlog);
        }
    }
    return AcceptResult::Accepted;
}

void write_error_page(int fd, std::string_view page) {
    sys::set_nonblocking(fd, true);
    [[maybe_unused]] ssize_t n = ::send(fd, page.data(), page.size(), MSG_NOSIGNAL);
}

}  // namespace minicorn::models
