// models/sync/sync_worker.cpp — see sync_worker.h for the design.
//
// The loop, as gunicorn 20.1's run_for_one, one named phase per step:
//   1. notify          — heartbeat
//   2. accept          — non-blocking; a connection → handle it, back to 1
//   3. parent check    — the master is gone → leave
//   4. wait            — notify, select(listeners + signal pipe, timeout/2)
#include "models/sync/sync_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "engine/http/access_log.h"
#include "engine/http/parser.h"
#include "engine/http/response.h"
#include "engine/net/socket_io.h"
#include "engine/trace/emit.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/gil.h"
#include "engine/wsgi/thread_runtime.h"

namespace minicorn::models {

void SyncWorker::run() {
    // "the socket appears to lose its blocking status after fork"
    for (const net::Listener& l : listeners()) sys::set_nonblocking(l.fd(), true);
    double timeout = half_timeout() > 0 ? half_timeout() : 0.5;
    limits_ = http::Limits::from_settings(cfg().limit_request_line, cfg().limit_request_fields,
                                          cfg().limit_request_field_size);
    runtime_ = std::make_unique<wsgi::ThreadRuntime>(gil(), [this] { check_signals(); });
    gil().acquire();  // the main thread runs "Python" from here on
    if (listeners().size() == 1) {
        run_for_one(timeout);
    } else {
        run_for_multiple(timeout);
    }
}

void SyncWorker::run_for_one(double timeout) {
    const net::Listener& listener = listeners()[0];
    std::vector<int> ready;
    while (alive()) {
        notify();
        if (accept(listener)) {
            check_signals();
            continue;  // keep draining the queue without select()
        }
        if (!is_parent_alive()) return;
        if (!wait(timeout, ready)) return;
        check_signals();
    }
}

void SyncWorker::run_for_multiple(double timeout) {
    std::vector<int> ready;
    while (alive()) {
        notify();
        if (!wait(timeout, ready)) return;
        check_signals();
        for (int fd : ready) {
            for (const net::Listener& l : listeners()) {
                if (l.fd() == fd && alive()) accept(l);
            }
        }
        if (!is_parent_alive()) return;
    }
}

bool SyncWorker::wait(double timeout, std::vector<int>& ready) {
    notify();
    ready.clear();
    fd_set rfds;
    FD_ZERO(&rfds);
    int max_fd = wakeup_fd();
    FD_SET(wakeup_fd(), &rfds);
    for (const net::Listener& l : listeners()) {
        FD_SET(l.fd(), &rfds);
        max_fd = std::max(max_fd, l.fd());
    }
    auto secs = static_cast<long>(timeout);
    timeval tv{secs, static_cast<long>((timeout - static_cast<double>(secs)) * 1e6)};
    trace::emit(trace::EventKind::SelectWait, 0, 0, static_cast<std::int64_t>(timeout * 1000));
    wsgi::Gil::Released no_gil(gil());  // select() is a blocking call: CPython lets the GIL go
    int n = ::select(max_fd + 1, &rfds, nullptr, nullptr, &tv);
    int select_errno = errno;
    trace::emit(trace::EventKind::SelectWake, 0, 0, n < 0 ? 0 : n, n < 0 && select_errno == EINTR ? 1 : 0);
    errno = select_errno;
    if (n < 0) {
        if (errno == EINTR) {  // a signal: treat the listeners as ready, as gunicorn does
            for (const net::Listener& l : listeners()) ready.push_back(l.fd());
            return true;
        }
        if (errno == EBADF) return false;  // StopWaiting
        sys::die_bug("select() in the sync worker");
    }
    if (n > 0) {
        if (FD_ISSET(wakeup_fd(), &rfds)) drain_wakeup_pipe();
        for (const net::Listener& l : listeners()) {
            if (FD_ISSET(l.fd(), &rfds)) ready.push_back(l.fd());
        }
    }
    return true;
}

namespace {

void peer_of(const sockaddr_storage& ss, std::string& ip, std::uint16_t& port) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
        port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
        port = ntohs(in6->sin6_port);
    }
    ip = buf;
}

}  // namespace

bool SyncWorker::accept(const net::Listener& listener) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    trace::emit(trace::EventKind::AcceptAttempt, 0, 0, listener.fd());
    int client = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (client < 0) {
        trace::emit(trace::EventKind::AcceptEagain, 0, 0, errno);
        switch (errno) {
            case EAGAIN:        // nobody waiting — or another worker won the race
            case ECONNABORTED:  // the client gave up while queued
            case EINTR:
                return false;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                log().error("accept() failed: {}", sys::errno_text(errno));
                return false;
            default:
                sys::die_bug("accept() on the listening socket");
        }
    }
    std::string ip;
    std::uint16_t port = 0;
    peer_of(ss, ip, port);
    conn_ = trace::make_id(pid(), ++conn_seq_);
    if (trace::enabled()) {
        trace::emit(trace::EventKind::Accepted, conn_, 0, port, listener.fd());
        trace::count(trace::CounterId::Accepted);
        net::AcceptQueue q;
        if (net::read_accept_queue(listener.fd(), q)) {
            trace::emit(trace::EventKind::AcceptQueueSample, 0, 0, q.length, q.backlog);
        }
    }
    handle(listener, client, ip, port);
    return true;
}


// ----------------------------------------------------------------------------
// handle: one connection, one request (gunicorn's SyncWorker.handle and
// handle_request).
// ----------------------------------------------------------------------------
void SyncWorker::handle(const net::Listener& listener, int client, const std::string& peer_ip,
                        std::uint16_t peer_port) {
    sys::Fd conn(client);  // closed on every way out, as gunicorn's `finally: util.close(client)`
    net::InterruptHook on_interrupt = [this] { check_signals(); };
    // Traced when the connection ends, however it ends (an exception that
    // ends the process skips it: the connection dies with the process).
    struct CloseTrace {
        std::uint64_t conn;
        int requests = 0;
        ~CloseTrace() { trace::emit(trace::EventKind::Close, conn, 0, requests); }
    } close_trace{conn_};

    // Read until one request is complete (the body included) or the parse fails.
    http::RequestParser parser(limits_);
    char buf[http::kRecvChunk];
    std::size_t bytes_in = 0;
    trace::emit(trace::EventKind::ReadStart, conn_);
    while (!parser.done() && !parser.failed()) {
        net::IoResult r;
        {
            wsgi::Gil::Released no_gil(gil());
            r = net::recv_some(conn.get(), buf, sizeof buf, on_interrupt);
        }
        if (r.status == net::IoStatus::Eof) {
            parser.finish_eof();
            break;
        }
        if (r.status != net::IoStatus::Ok) {
            trace::emit(trace::EventKind::ReadDone, conn_, 0, static_cast<std::int64_t>(bytes_in), 1);
            log().debug("Ignoring connection reset");
            return;
        }
        bytes_in += r.bytes;
        parser.feed(std::string_view(buf, r.bytes));
    }
    trace::emit(trace::EventKind::ReadDone, conn_, 0, static_cast<std::int64_t>(bytes_in), parser.failed() ? 1 : 0);
    trace::count(trace::CounterId::BytesIn, bytes_in);
    if (parser.failed()) {
        const http::ParseError& err = parser.error();
        trace::emit(trace::EventKind::ParseFailed, conn_, 0, err.status, static_cast<std::int64_t>(err.kind));
        if (err.sends_response()) trace::count(trace::CounterId::Errors);
        if (!err.sends_response()) {
            log().debug("Ignored premature client disconnection. {}", err.message);
            return;
        }
        log().debug("Invalid request from ip={}: {}", peer_ip, err.message);
        write_error_page(conn.get(), http::error_page(err));
        if (err.has_request) {  // the head parsed: gunicorn logs that request with the error status
            http::Response none(parser.request());
            log_access(parser.request(), err.status, none, peer_ip, std::chrono::system_clock::now());
        }
        return;
    }
    http::Request req = parser.take_request();
    req_ = trace::make_id(pid(), ++req_seq_);
    trace::emit(trace::EventKind::Parsed, conn_, req_, req.version_major * 10 + req.version_minor,
                static_cast<std::int64_t>(req.body.size()));
    close_trace.requests = 1;
    handle_request(listener, conn.get(), req, peer_ip, peer_port);
}

void SyncWorker::write_error_page(int fd, std::string_view page) {
    // gunicorn writes its error page non-blockingly and ignores failures.
    sys::set_nonblocking(fd, true);
    [[maybe_unused]] ssize_t n = ::send(fd, page.data(), page.size(), MSG_NOSIGNAL);
}

void SyncWorker::handle_request(const net::Listener& listener, int fd, const http::Request& req,
                                const std::string& peer_ip, std::uint16_t peer_port) {
    net::InterruptHook on_interrupt = [this] { check_signals(); };
    auto started = std::chrono::system_clock::now();
    http::Response resp(req);
    resp.force_close();  // the sync worker never keeps a connection alive
    count_request();

    wsgi::Environ env{req,
                      peer_ip,
                      peer_port,
                      listener.address().host,
                      listener.address().port,
                      /*multithread=*/false,
                      /*multiprocess=*/num_workers() > 1,
                      *runtime_};
    trace::count(trace::CounterId::Requests);
    wsgi::Response app_resp;
    trace::emit(trace::EventKind::HandlerStart, conn_, req_);
    try {
        app_resp = app().call(env);
    } catch (const std::exception& e) {
        // Before any header went out: gunicorn's handle_error → 500, empty message.
        trace::emit(trace::EventKind::HandlerEnd, conn_, req_, 500, 1);
        trace::count(trace::CounterId::Errors);
        log().error("Error handling request {}\n{}", req.uri, e.what());
        write_error_page(fd, http::error_page(500, "Internal Server Error", ""));
        log_access(req, 500, resp, peer_ip, started);
        return;
    }
    trace::emit(trace::EventKind::HandlerEnd, conn_, req_, app_resp.status, 0);
    if (auto bad = resp.start(app_resp.status, app_resp.reason, app_resp.headers)) {
        log().error("Error handling request {}\n{}", req.uri, bad->message);
        if (bad->sends_response()) write_error_page(fd, http::error_page(*bad));
        return;
    }

    std::uint64_t bytes_out = 0;
    auto send = [&](std::string_view bytes) {
        if (bytes.empty()) return true;
        wsgi::Gil::Released no_gil(gil());
        net::IoResult r = net::send_all(fd, bytes, on_interrupt);
        bytes_out += r.bytes;
        if (r.status == net::IoStatus::Ok) return true;
        log().debug("{}", r.status == net::IoStatus::BrokenPipe ? "Ignoring EPIPE" : "Ignoring connection reset");
        return false;
    };
    // The headers go out with the first body chunk: one send() for a small
    // response instead of two (gunicorn 20.1 sends them separately).
    std::string pending = resp.send_headers();
    bool ok = true;
    trace::emit(trace::EventKind::WriteStart, conn_, req_);
    while (ok && app_resp.next_chunk) {
        std::optional<std::string> chunk;
        try {
            chunk = app_resp.next_chunk();
        } catch (const std::exception& e) {
            // After the headers: log, close; the client sees a cut response.
            log().error("Error handling request\n{}", e.what());
            ok = false;
            break;
        }
        if (!chunk) break;
        pending += resp.write(*chunk);
        ok = send(pending);
        pending.clear();
    }
    if (ok) ok = send(pending + resp.close());
    trace::emit(trace::EventKind::WriteDone, conn_, req_, static_cast<std::int64_t>(bytes_out), ok ? 0 : 1);
    trace::count(trace::CounterId::BytesOut, bytes_out);
    log_access(req, resp.status(), resp, peer_ip, started);
}

void SyncWorker::log_access(const http::Request& req, int status, const http::Response& resp,
                            const std::string& peer_ip, std::chrono::system_clock::time_point started) {
    if (!log().access_enabled()) return;
    http::AccessLogEntry entry;
    entry.request = &req;
    entry.status = status;
    entry.response_headers = resp.headers();
    entry.body_bytes = resp.sent();  // gunicorn's resp.sent starts at 0: never "-"
    entry.request_start = started;
    entry.request_end = std::chrono::system_clock::now();
    entry.pid = pid();
    entry.remote_addr = peer_ip;
    if (auto line = http::format_access_log(cfg().access_log_format, entry)) log().access(*line);
}

}  // namespace minicorn::models
