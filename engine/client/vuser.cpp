// engine/client/vuser.cpp — the per-connection state machine of the load
// client (LoadEngine's transitions; the loop that drives them is in
// load_engine.cpp). Every transition a learner would want to see is a trace
// event: connect, connected (with the local port the server's accept
// reports), send start/end, first byte, done, error, close.
//
// Errors are sorted where the syscall is made: ECONNREFUSED, ECONNRESET,
// EPIPE, EAGAIN are the interesting moments of a load test, not failures of
// the client; only a bug (EBADF, EFAULT) aborts.
//
// Index
//   [SECTION] RequestTemplates — the request bytes, built once per mix entry
//   [SECTION] Starting work    — begin, begin_request, open_connection, on_connected
//   [SECTION] Sending          — send_request, try_send, on_tick (the bad actors' tick)
//   [SECTION] Receiving        — on_readable, complete, fail, cut
//   [SECTION] Closing          — close_conn, after_close, set_events
#include "engine/client/vuser.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "engine/client/load_engine.h"
#include "engine/sys/fd.h"
#include "engine/trace/ev.h"

namespace minicorn::client {

using trace::ClientErrorKind;
using trace::ClientRole;
using trace::EventKind;

namespace {

constexpr std::size_t kSlowReadChunk = 256;   // a slow reader's read per tick
constexpr int kSlowReaderRcvBuf = 2048;       // its receive buffer (the kernel doubles it)
constexpr std::int64_t kConnectBackoffNs = 100'000'000;  // a refused user retries after 100 ms

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

}  // namespace

// ============================================================================
// [SECTION] RequestTemplates
// ============================================================================

RequestTemplates::RequestTemplates(const Url& url, const std::vector<MixEntry>& mix, KeepAlive keep_alive) {
    for (const MixEntry& m : mix) {
        prefix_.push_back("GET " + m.path + " HTTP/1.1\r\nHost: " + url.host_header +
                          "\r\nUser-Agent: minicorn-load\r\nX-Request-Id: ");
    }
    suffix_ = keep_alive == KeepAlive::On ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
}

void RequestTemplates::build(std::uint32_t i, std::uint64_t req, std::string& out) const {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, req);
    (void)ec;
    out.assign(prefix_[i]);
    out.append(digits, static_cast<std::size_t>(end - digits));
    out.append(suffix_);
}

// ============================================================================
// [SECTION] Starting work
// ============================================================================

// What a user does next when it has nothing in flight.
void LoadEngine::begin(VUser& vu) {
    if (stopping_) {
        vu.state = VuState::Finished;
        return;
    }
    switch (vu.role) {
        case ClientRole::Good:
            begin_request(vu);
            break;
        case ClientRole::Slowloris:
        case ClientRole::SlowReader:
            if (vu.fd < 0) open_connection(vu);
            else send_request(vu);
            break;
        case ClientRole::Silent:
        case ClientRole::Aborter:
            open_connection(vu);
            break;
    }
}

void LoadEngine::begin_request(VUser& vu) {
    if (!claim_request()) {
        if (vu.fd >= 0) close_conn(vu);
        vu.state = VuState::Finished;
        return;
    }
    ++stats_.attempts;
    ++in_flight_;
    vu.counts = true;
    vu.start_ns = mono_ns();
    vu.deadline_ns = vu.start_ns + timeout_ns_;
    if (vu.fd < 0) open_connection(vu);
    else send_request(vu);
}

void LoadEngine::open_connection(VUser& vu) {
    int fd = ::socket(target_.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        // EMFILE/ENFILE/ENOBUFS: out of descriptors or memory — a connect error the user sees.
        int err = errno;
        if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) sys::die_bug("socket()");
        vu.conn = 0;
        fail(vu, ClientErrorKind::Connect, err);
        return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (vu.role == ClientRole::SlowReader) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSlowReaderRcvBuf, sizeof kSlowReaderRcvBuf);
    }
    vu.fd = fd;
    vu.conn = trace::make_id(shared_.pid, shared_.conn_seq.fetch_add(1, std::memory_order_relaxed) + 1);
    vu.requests_on_conn = 0;
    vu.local_port = 0;
    vu.events = 0;
    trace::ev::ClientConnectStart{.conn = vu.conn, .vu = vu.number, .role = vu.role}.emit();
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&target_.addr), target_.len);
    if (rc == 0) {
        set_events(vu, EPOLLIN);
        on_connected(vu);
        return;
    }
    int err = errno;
    if (err == EINPROGRESS) {
        vu.state = VuState::Connecting;
        set_events(vu, EPOLLOUT);
        return;
    }
    if (err == EBADF || err == EFAULT || err == ENOTSOCK) sys::die_bug("connect()");
    fail(vu, ClientErrorKind::Connect, err);
}

void LoadEngine::on_connected(VUser& vu) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(vu.fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
        vu.local_port = local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
                                                    : ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
    }
    trace::ev::ClientConnected{.conn = vu.conn, .local_port = vu.local_port, .fd = vu.fd}.emit();
    shared_.open.fetch_add(1, std::memory_order_relaxed);
    if (is_good(vu)) {
        ++stats_.connects;
    } else {
        ++stats_.roles[static_cast<std::size_t>(vu.role)].connections;
        if (!vu.connected_once) {  // one fewer for the good users to wait for
            vu.connected_once = true;
            shared_.bad_pending.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    set_events(vu, EPOLLIN);
    switch (vu.role) {
        case ClientRole::Good:
        case ClientRole::Slowloris:
        case ClientRole::SlowReader:
            send_request(vu);
            break;
        case ClientRole::Silent:
            vu.state = VuState::Holding;
            break;
        case ClientRole::Aborter:
            send_request(vu);  // it sends half the head, then holds until its tick
            break;
    }
}

// ============================================================================
// [SECTION] Sending
// ============================================================================

void LoadEngine::send_request(VUser& vu) {
    ++vu.timer_ticket;  // a tick still pending from the last request must not double this one's pace
    const std::uint32_t seq = shared_.req_seq.fetch_add(1, std::memory_order_relaxed) + 1;
    vu.req = trace::make_id(shared_.pid, seq);
    vu.mix_index = pick_mix(seq);
    templates_.build(vu.mix_index, vu.req, vu.out);
    vu.out_off = 0;
    vu.first_byte = false;
    vu.reader.reset();
    if (vu.role == ClientRole::Aborter) vu.out.resize(vu.out.size() / 2);
    trace::ev::ClientSendStart{.conn = vu.conn, .req = vu.req, .bytes = i64(vu.out.size()),
                               .mix_index = vu.mix_index}.emit();
    switch (vu.role) {
        case ClientRole::Good:
            if (cfg_.open_loop()) {
                vu.start_ns = vu.arrival_ns;  // the wait for a connection is part of the latency
            } else {
                vu.start_ns = mono_ns();      // as wrk: from the first byte written
            }
            vu.state = VuState::Sending;
            try_send(vu);
            return;
        case ClientRole::Slowloris:
            vu.state = VuState::Dribbling;
            on_tick(vu);  // the first byte now, then one a tick
            return;
        case ClientRole::Aborter:
        case ClientRole::SlowReader:
        case ClientRole::Silent:
            vu.state = VuState::Sending;
            try_send(vu);
            return;
    }
}

void LoadEngine::try_send(VUser& vu) {
    while (vu.out_off < vu.out.size()) {
        ssize_t n = ::send(vu.fd, vu.out.data() + vu.out_off, vu.out.size() - vu.out_off, MSG_NOSIGNAL);
        if (n < 0) {
            int err = errno;
            if (err == EINTR) continue;
            if (err == EAGAIN) {
                set_events(vu, EPOLLIN | EPOLLOUT);
                return;
            }
            if (err == EBADF || err == EFAULT || err == ENOTSOCK) sys::die_bug("send()");
            if (!is_good(vu)) {
                cut(vu, err);
                return;
            }
            fail(vu, ClientErrorKind::Write, err);
            return;
        }
        vu.out_off += static_cast<std::size_t>(n);
        stats_.bytes_written += static_cast<std::uint64_t>(n);
    }
    if (vu.events & EPOLLOUT) set_events(vu, EPOLLIN);
    if (vu.role == ClientRole::Aborter) {  // half the head is out: hold it, reset on the next tick
        vu.state = VuState::Holding;
        schedule(vu, mono_ns() + tick_ns_);
        return;
    }
    trace::ev::ClientSendEnd{.conn = vu.conn, .req = vu.req, .bytes = i64(vu.out.size())}.emit();
    if (vu.role == ClientRole::SlowReader) {
        vu.state = VuState::SlowReading;
        set_events(vu, 0);  // it reads only on its tick
        schedule(vu, mono_ns() + tick_ns_);
        return;
    }
    vu.state = VuState::Receiving;
}

// A bad actor's tick.
void LoadEngine::on_tick(VUser& vu) {
    switch (vu.state) {
        case VuState::Idle:  // a back-off or a reconnect pause is over
            begin(vu);
            return;
        case VuState::Dribbling: {
            ssize_t n = ::send(vu.fd, vu.out.data() + vu.out_off, 1, MSG_NOSIGNAL);
            if (n < 0) {
                int err = errno;
                if (err == EAGAIN || err == EINTR) {
                    schedule(vu, mono_ns() + tick_ns_);
                    return;
                }
                cut(vu, err);
                return;
            }
            ++vu.out_off;
            ++stats_.bytes_written;
            if (vu.out_off == vu.out.size()) {
                trace::ev::ClientSendEnd{.conn = vu.conn, .req = vu.req, .bytes = i64(vu.out.size())}.emit();
                vu.state = VuState::Receiving;
                return;
            }
            schedule(vu, mono_ns() + tick_ns_);
            return;
        }
        case VuState::SlowReading: {
            ssize_t n = ::recv(vu.fd, buf_.data(), kSlowReadChunk, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                schedule(vu, mono_ns() + tick_ns_);
                return;
            }
            if (n <= 0) {
                if (n == 0 && vu.reader.finish_eof() == ResponseReader::Result::Done) {
                    complete(vu);
                    return;
                }
                cut(vu, n < 0 ? errno : 0);
                return;
            }
            stats_.bytes_read += static_cast<std::uint64_t>(n);
            if (!vu.first_byte) {
                vu.first_byte = true;
                trace::ev::ClientFirstByte{.conn = vu.conn, .req = vu.req}.emit();
            }
            std::size_t used = 0;
            auto r = vu.reader.feed(std::string_view(buf_.data(), static_cast<std::size_t>(n)), &used);
            if (r == ResponseReader::Result::Done) complete(vu);
            else if (r == ResponseReader::Result::Error) cut(vu, 0);
            else schedule(vu, mono_ns() + tick_ns_);
            return;
        }
        case VuState::Holding:  // an aborter gives up mid-request
            close_conn(vu, /*reset=*/true);
            after_close(vu, tick_ns_);
            return;
        default:
            return;
    }
}

// ============================================================================
// [SECTION] Receiving
// ============================================================================

void LoadEngine::on_readable(VUser& vu) {
    const std::uint32_t gen = vu.gen;
    while (vu.gen == gen && vu.fd >= 0) {
        ssize_t n = ::recv(vu.fd, buf_.data(), buf_.size(), 0);
        if (n < 0) {
            int err = errno;
            if (err == EINTR) continue;
            if (err == EAGAIN) return;
            if (err == EBADF || err == EFAULT || err == ENOTSOCK) sys::die_bug("recv()");
            if (!is_good(vu)) cut(vu, err);
            else if (vu.state == VuState::Parked) {
                ++stats_.idle_closed;
                close_conn(vu);
                after_close(vu, 0);
            } else fail(vu, err == ECONNRESET ? ClientErrorKind::Reset : ClientErrorKind::Read, err);
            return;
        }
        if (n == 0) {
            if (vu.state == VuState::Receiving && vu.reader.finish_eof() == ResponseReader::Result::Done) {
                complete(vu);
                if (vu.gen == gen && vu.fd >= 0) {  // kept "alive" by a response that ended at the close
                    close_conn(vu);
                    after_close(vu, 0);
                }
                return;
            }
            if (!is_good(vu)) cut(vu, 0);
            else if (vu.state == VuState::Parked) {
                ++stats_.idle_closed;
                close_conn(vu);
                after_close(vu, 0);
            } else fail(vu, ClientErrorKind::Reset, 0);
            return;
        }
        stats_.bytes_read += static_cast<std::uint64_t>(n);
        if (vu.state != VuState::Receiving && vu.state != VuState::Dribbling && vu.state != VuState::Sending) {
            continue;  // bytes nobody asked for (a silent connection's error page): dropped
        }
        if (!vu.first_byte) {
            vu.first_byte = true;
            trace::ev::ClientFirstByte{.conn = vu.conn, .req = vu.req}.emit();
        }
        std::size_t used = 0;
        auto r = vu.reader.feed(std::string_view(buf_.data(), static_cast<std::size_t>(n)), &used);
        if (r == ResponseReader::Result::Done) {
            complete(vu);
            return;
        }
        if (r == ResponseReader::Result::Error) {
            if (is_good(vu)) fail(vu, ClientErrorKind::Read, 0);
            else cut(vu, 0);
            return;
        }
        if (static_cast<std::size_t>(n) < buf_.size()) return;  // drained; level-triggered epoll calls again
    }
}

void LoadEngine::complete(VUser& vu) {
    const std::int64_t now = mono_ns();
    const std::int64_t latency_us = (now - vu.start_ns) / 1000;
    const int status = vu.reader.status();
    trace::ev::ClientDone{.conn = vu.conn, .req = vu.req, .status = status, .latency_us = latency_us}.emit();
    ++vu.requests_on_conn;
    const bool keep = vu.reader.keep_alive() && cfg_.keep_alive == KeepAlive::On;
    if (is_good(vu)) {
        ++stats_.requests;
        ++stats_.per_mix[vu.mix_index];
        stats_.latency.record(static_cast<std::uint64_t>(latency_us < 0 ? 0 : latency_us));
        stats_.status_class[status >= 100 && status < 600 ? static_cast<std::size_t>(status / 100) : 0] += 1;
        shared_.done.fetch_add(1, std::memory_order_relaxed);
        if (status < 200 || status >= 400) {
            trace::ev::ClientError{.conn = vu.conn, .req = vu.req, .kind = ClientErrorKind::Status, .error = 0}.emit();
            ++stats_.error(ClientErrorKind::Status);
            shared_.errors.fetch_add(1, std::memory_order_relaxed);
        }
        if (vu.counts) {
            vu.counts = false;
            --in_flight_;
        }
        vu.req = 0;
        vu.deadline_ns = 0;
        if (!keep) close_conn(vu);
        if (cfg_.open_loop()) {
            if (vu.fd >= 0) {
                vu.state = VuState::Parked;
                parked_.push_back(vu.index);
            } else {
                vu.state = VuState::Idle;
                free_slots_.push_back(vu.index);
            }
            return;
        }
        begin_request(vu);
        return;
    }
    ++stats_.roles[static_cast<std::size_t>(vu.role)].responses;
    vu.req = 0;
    if (!keep) {
        close_conn(vu);
        after_close(vu, tick_ns_);
        return;
    }
    begin(vu);  // slowloris and slow reader go again on the same connection
}

void LoadEngine::fail(VUser& vu, ClientErrorKind kind, int err) {
    trace::ev::ClientError{.conn = vu.conn, .req = vu.req, .kind = kind, .error = err}.emit();
    if (!is_good(vu) && !vu.connected_once) {  // a bad actor that cannot connect holds no one back
        vu.connected_once = true;
        shared_.bad_pending.fetch_sub(1, std::memory_order_relaxed);
    }
    if (is_good(vu) && vu.counts) {
        ++stats_.error(kind);
        shared_.errors.fetch_add(1, std::memory_order_relaxed);
        vu.counts = false;
        --in_flight_;
    }
    vu.req = 0;
    vu.deadline_ns = 0;
    close_conn(vu, kind == ClientErrorKind::Timeout);
    std::int64_t delay = 0;
    if (!is_good(vu)) delay = tick_ns_;
    else if (kind == ClientErrorKind::Connect) delay = kConnectBackoffNs;
    after_close(vu, delay);
}

void LoadEngine::cut(VUser& vu, int err) {
    trace::ev::ClientError{.conn = vu.conn, .req = vu.req, .kind = ClientErrorKind::Reset, .error = err}.emit();
    ++stats_.roles[static_cast<std::size_t>(vu.role)].cut;
    vu.req = 0;
    close_conn(vu);
    after_close(vu, tick_ns_);
}

// ============================================================================
// [SECTION] Closing
// ============================================================================

void LoadEngine::close_conn(VUser& vu, bool reset) {
    if (vu.fd < 0) return;
    if (reset) {  // RST instead of FIN: what a client that gives up looks like
        linger lg{1, 0};
        ::setsockopt(vu.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    const bool was_connected = vu.local_port != 0;
    // Emitted first: the server cannot see the close before the trace says it happened.
    trace::ev::ClientClose{.conn = vu.conn, .requests = vu.requests_on_conn}.emit();
    ::close(vu.fd);  // also leaves the epoll set
    vu.fd = -1;
    vu.events = 0;
    vu.in_epoll = false;
    ++vu.gen;
    ++vu.timer_ticket;
    if (was_connected) shared_.open.fetch_sub(1, std::memory_order_relaxed);
    vu.local_port = 0;
}

void LoadEngine::after_close(VUser& vu, std::int64_t delay_ns) {
    vu.state = VuState::Idle;
    if (stopping_) {
        vu.state = VuState::Finished;
        return;
    }
    if (cfg_.open_loop() && is_good(vu)) {
        free_slots_.push_back(vu.index);
        return;
    }
    if (delay_ns > 0) schedule(vu, mono_ns() + delay_ns);
    else begin(vu);
}

void LoadEngine::set_events(VUser& vu, std::uint32_t events) {
    if (vu.fd < 0) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (static_cast<std::uint64_t>(vu.gen) << 32) | vu.index;
    if (vu.in_epoll && vu.events == events) return;
    int op = vu.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(epfd_, op, vu.fd, &ev) != 0) sys::die_bug("epoll_ctl() on a client socket");
    vu.in_epoll = true;
    vu.events = events;
}

}  // namespace minicorn::client
