// models/tornado/tornado_worker.cpp — see tornado_worker.h for the design.
//
// run() sets the loop up, as gtornado.py's run():
//   1. the IOLoop, on the --poller backend
//   2. PeriodicCallback(watchdog, 1000), PeriodicCallback(heartbeat, 1000)
//   3. the listeners, non-blocking, added to the server (accept handlers)
//   4. ioloop.start() — the phases are in engine/loop/io_loop.h
// A connection then goes, in loop phases (engine/loop/io_loop.h):
//   dispatch   the listener is readable: accept up to 128, queue an Accept
//              callback for each (TCPServer._handle_connection starts the
//              connection's coroutine with call_soon)
//   callbacks  Accept: register the fd, arm the idle timer, read inline
//   dispatch   readable: read what the socket has; a complete request
//              queues a Request callback (the read future resolves, the
//              coroutine resumes on the loop's next turn)
//   callbacks  Request: parse → app (on this thread, blocking the loop) →
//              write (non-blocking; waits for writability when the socket is
//              full) → keep-alive (idle timer again) or close
#include "models/tornado/tornado_worker.h"

#include <sys/socket.h>

#include <cerrno>

#include "engine/http/request.h"
#include "engine/http/tornado_wire.h"
#include "engine/trace/emit.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/gil.h"

namespace minicorn::models {


void TornadoWorker::run() {
    limits_ = http::tornado::tornado_limits();  // not gunicorn's limit_request_*
    runtime_ = std::make_unique<wsgi::ThreadRuntime>(gil(), [this] { check_signals(); });
    loop_.emplace(loop::make_poller(cfg().poller));
    gil().acquire();  // the loop thread runs "Python" from here on
    loop_->set_poll_hooks([this] { gil().release(); }, [this] { gil().acquire(); }, [this] { check_signals(); });

    // Signals wake the poll with EINTR; the wake-up pipe is drained so it never fills.
    loop_->add_handler(wakeup_fd(), loop::kReadable, [this](std::uint32_t) {
        drain_wakeup_pipe();
        check_signals();
    });
    watchdog_id_ = loop_->add_periodic(1000, [this] { watchdog(); }, {trace::LoopCallback::Watchdog, 0});
    heartbeat_id_ = loop_->add_periodic(1000, [this] { heartbeat(); }, {trace::LoopCallback::Timer, 0});
    for (const net::Listener& l : listeners()) {
        sys::set_nonblocking(l.fd(), true);
        watch_listener(l);
    }

    loop_->start();

    // The loop stopped: open connections are dropped, as the process exits.
    while (!conns_.empty()) close_conn(conns_.begin()->first);
}

// ----------------------------------------------------------------------------
// The PeriodicCallbacks
// ----------------------------------------------------------------------------
void TornadoWorker::watchdog() {
    if (alive()) notify();
    if (!is_parent_alive()) set_alive(false);
}

void TornadoWorker::heartbeat() {
    if (alive()) return;
    if (server_alive_) {
        // server.stop(): stop listening (the listeners stay open; the master owns them).
        for (const net::Listener& l : listeners()) {
            loop_->remove_handler(l.fd());
        }
        server_alive_ = false;
        return;
    }
    loop_->remove_timeout(watchdog_id_);
    loop_->remove_timeout(heartbeat_id_);
    loop_->stop();
}

// ----------------------------------------------------------------------------
// Connections
// ----------------------------------------------------------------------------
// tornado.netutil's accept_handler, in the dispatch phase: accept until
// EAGAIN, at most 128; each connection's serving starts as a callback.
void TornadoWorker::watch_listener(const net::Listener& listener) {
    loop_->add_handler(listener.fd(), loop::kReadable, [this, &listener](std::uint32_t) { handle_accept(listener); });
}

void TornadoWorker::handle_accept(const net::Listener& listener) {
    for (int i = 0; i < kAcceptsPerReady; ++i) {
        auto conn = std::make_unique<Conn>(limits_);
        const AcceptResult r = accept_client(listener, pid(), ids().conn, conn->client, log());
        if (r == AcceptResult::Exhausted) {
            // Out of fds (tornado would log and spin): stop watching the listener for the backoff delay.
            loop_->remove_handler(listener.fd());
            loop_->call_later(backoff_.failed(log()).count(), [this, &listener] {
                if (server_alive_) watch_listener(listener);
            });
            return;
        }
        if (r != AcceptResult::Accepted) return;
        backoff_.succeeded(log());
        const int fd = conn->client.fd.get();
        sys::set_nonblocking(fd, true);
        const std::uint64_t id = conn->client.id;
        conns_.emplace(fd, std::move(conn));
        loop_->add_callback([this, fd, id] { start_serving(fd, id); }, {trace::LoopCallback::Accept, id});
    }
}

TornadoWorker::Conn* TornadoWorker::find_conn(int fd, std::uint64_t id) {
    auto it = conns_.find(fd);
    // The fd may have been closed, and even reused by a newer connection, since the callback was queued.
    return it == conns_.end() || it->second->client.id != id ? nullptr : it->second.get();
}

// HTTP1ServerConnection.start_serving → _read_message: the idle (header)
// timeout starts, the fd joins the poll list, and what has already arrived
// is read at once (IOStream's inline read).
void TornadoWorker::start_serving(int fd, std::uint64_t id) {
    Conn* conn = find_conn(fd, id);
    if (conn == nullptr) return;
    loop_->add_handler(fd, loop::kReadable, [this, fd](std::uint32_t ev) { on_conn_event(fd, ev); }, id);
    arm_idle_timer(*conn);
    handle_read(*conn);
}

void TornadoWorker::on_conn_event(int fd, std::uint32_t /*events*/) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& conn = *it->second;
    if (conn.out_sent < conn.out.size()) {
        if (flush(conn)) finish_response(conn);
        return;
    }
    // A request already waits for its callback: more bytes (or the peer's
    // FIN) are read after it is answered, as tornado reads only for a pending read.
    if (conn.request_queued) return;
    handle_read(conn);
}

void TornadoWorker::handle_read(Conn& conn) {
    const int fd = conn.client.fd.get();
    char buf[65536];  // tornado's read_chunk_size
    bool eof = false;
    while (!conn.parser.done() && !conn.parser.failed()) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            if (conn.bytes_in == 0) trace::emit(trace::EventKind::ReadStart, conn.client.id);
            conn.bytes_in += static_cast<std::size_t>(n);
            feed(conn, std::string_view(buf, static_cast<std::size_t>(n)));
            continue;
        }
        if (n == 0) {
            eof = true;
            conn.parser.finish_eof();
            break;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // wait for more
        if (errno == EINTR) {
            check_signals();
            continue;
        }
        // ECONNRESET and friends: the peer is gone.
        trace::emit(trace::EventKind::ReadDone, conn.client.id, 0, static_cast<std::int64_t>(conn.bytes_in), 1);
        close_conn(fd);
        return;
    }
    if (conn.parser.failed()) {
        trace::emit(trace::EventKind::ReadDone, conn.client.id, 0, static_cast<std::int64_t>(conn.bytes_in), 1);
        const http::ParseError& err = conn.parser.error();
        if (!eof && http::tornado::answers_bad_request(err)) {
            // tornado: "Malformed HTTP message", a bare 400, close. Not gunicorn's error page.
            log().debug("Malformed HTTP message from {}: {}", conn.client.peer_ip, err.message);
            write_error_page(fd, http::tornado::kBadRequestResponse);
        } else if (!eof) {
            log().debug("Unsatisfiable read, closing connection: {}", err.message);
        }
        close_conn(fd);
        return;
    }
    request_ready(conn);
}

void TornadoWorker::feed(Conn& conn, std::string_view bytes) {
    const std::size_t used = conn.parser.feed(bytes);
    if (used < bytes.size()) conn.client.buffer.append(bytes.substr(used));
    if (conn.head_seen || !conn.parser.head_done()) return;
    conn.head_seen = true;
    if (http::tornado::expects_continue(conn.parser.request())) {
        // stream.write(): 27 bytes into an idle socket's buffer, never a partial write in practice.
        write_error_page(conn.client.fd.get(), http::tornado::kContinueResponse);
    }
}

// The request is in: the read is done here (the IOStream's buffer), the
// coroutine that parses it and calls the app runs as the next turn's callback.
void TornadoWorker::request_ready(Conn& conn) {
    trace::emit(trace::EventKind::ReadDone, conn.client.id, 0, static_cast<std::int64_t>(conn.bytes_in), 0);
    conn.bytes_in = 0;
    conn.request_queued = true;
    const int fd = conn.client.fd.get();
    const std::uint64_t id = conn.client.id;
    loop_->add_callback(
        [this, fd, id] {
            if (Conn* c = find_conn(fd, id)) serve_request(*c);
        },
        {trace::LoopCallback::Request, id});
}

void TornadoWorker::consume_buffered(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    Conn& conn = *it->second;
    conn.request_queued = false;
    if (conn.client.buffer.empty()) return;
    std::string pending = std::move(conn.client.buffer);
    conn.client.buffer.clear();
    trace::emit(trace::EventKind::ReadStart, conn.client.id);
    conn.bytes_in = pending.size();
    feed(conn, pending);
    if (conn.parser.done()) {
        trace::emit(trace::EventKind::ReadDone, conn.client.id, 0, static_cast<std::int64_t>(conn.bytes_in), 0);
        conn.bytes_in = 0;
        serve_request(conn);
    } else if (conn.parser.failed()) {
        if (http::tornado::answers_bad_request(conn.parser.error())) {
            write_error_page(fd, http::tornado::kBadRequestResponse);
        }
        close_conn(fd);
    }
    // Otherwise the rest of the request comes with the next readiness.
}

// WSGIContainer.__call__, on the loop thread: the app and its whole body run
// here, blocking the loop, then the joined response is written.
void TornadoWorker::serve_request(Conn& conn) {
    const int fd = conn.client.fd.get();
    conn.request_queued = false;
    if (conn.idle_timer != 0) {
        loop_->remove_timeout(conn.idle_timer);
        conn.idle_timer = 0;
    }
    http::Request req = conn.parser.take_request();
    conn.parser.reset();
    conn.head_seen = false;
    conn.scope = RequestScope::parsed(ids(), pid(), conn.client.id, req);
    ++conn.client.requests;

    wsgi::StringInput input(req.body);  // BytesIO(request.body): tornado read it whole first
    wsgi::Environ env{req,
                      conn.client.peer_ip,
                      conn.client.peer_port,
                      conn.client.listener ? conn.client.listener->address().host : std::string(),
                      conn.client.listener ? conn.client.listener->address().port : std::uint16_t{0},
                      /*multithread=*/false,
                      /*multiprocess=*/num_workers() > 1,
                      *runtime_,
                      input};
    conn.scope.handler_start();
    wsgi::Response resp;
    std::string body;
    try {
        resp = app().call(env);
        while (resp.next_chunk) {
            std::optional<std::string> chunk = resp.next_chunk();
            if (!chunk) break;
            body += *chunk;
        }
    } catch (const std::exception& e) {
        // Uncaught in tornado's request callback: logged, the connection closed, no response.
        conn.scope.handler_end(500, true);
        log().error("Uncaught exception {} {}\n{}", req.method, req.uri, e.what());
        close_conn(fd);
        return;
    }
    conn.scope.handler_end(resp.status, false);

    conn.close_after = !http::tornado::can_keep_alive(req);
    conn.out = http::tornado::format_response(req, resp.status, resp.reason, resp.headers, body);
    conn.out_sent = 0;
    conn.scope.write_start();
    if (flush(conn)) finish_response(conn);
}

bool TornadoWorker::flush(Conn& conn) {
    const int fd = conn.client.fd.get();
    while (conn.out_sent < conn.out.size()) {
        ssize_t n = ::send(fd, conn.out.data() + conn.out_sent, conn.out.size() - conn.out_sent, MSG_NOSIGNAL);
        if (n > 0) {
            conn.out_sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            check_signals();
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            loop_->update_handler(fd, loop::kWritable);  // the rest when the socket drains
            return false;
        }
        // EPIPE, ECONNRESET: the peer is gone.
        conn.scope.write_done(conn.out_sent, false);
        close_conn(fd);
        return false;
    }
    return true;
}

void TornadoWorker::finish_response(Conn& conn) {
    const int fd = conn.client.fd.get();
    conn.scope.write_done(conn.out.size(), true);
    conn.out.clear();
    conn.out_sent = 0;
    if (conn.close_after) {
        close_conn(fd);
        return;
    }
    loop_->update_handler(fd, loop::kReadable);
    arm_idle_timer(conn);
    // A pipelined request already read: serve it from the loop, not from here.
    if (!conn.client.buffer.empty()) {
        // Until then readiness is ignored: new bytes must not overtake these.
        conn.request_queued = true;
        const std::uint64_t id = conn.client.id;
        loop_->add_callback(
            [this, fd, id] {
                if (find_conn(fd, id) != nullptr) consume_buffered(fd);
            },
            {trace::LoopCallback::Request, id});
    }
}

void TornadoWorker::arm_idle_timer(Conn& conn) {
    if (conn.idle_timer != 0) loop_->remove_timeout(conn.idle_timer);
    const int fd = conn.client.fd.get();
    const std::uint64_t id = conn.client.id;
    conn.idle_timer = loop_->call_later(
        kIdleConnectionTimeoutS * 1000,
        [this, fd, id] {
            Conn* c = find_conn(fd, id);
            if (c == nullptr) return;
            c->idle_timer = 0;
            close_conn(fd);
        },
        {trace::LoopCallback::Close, id});
}

// HTTPServer.on_close → gunicorn's handle_request(): nr counts connections.
void TornadoWorker::close_conn(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    std::unique_ptr<Conn> conn = std::move(it->second);
    conns_.erase(it);
    if (conn->idle_timer != 0) loop_->remove_timeout(conn->idle_timer);
    loop_->remove_handler(fd);
    trace::emit(trace::EventKind::Close, conn->client.id, 0, conn->client.requests);
    conn->client.fd.reset();
    count_request();
}

}  // namespace minicorn::models
