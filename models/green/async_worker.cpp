// models/green/async_worker.cpp — see async_worker.h for the design.
#include "models/green/async_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <algorithm>
#include <chrono>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "engine/trace/ev.h"
#include "engine/wsgi/gil.h"

namespace minicorn::models {

using namespace std::chrono_literals;

void AsyncWorker::run() {
    // 64 KiB stacks: only touched pages cost RSS (~4 KiB per idle greenlet),
    // and a handler with big stack buffers does not hit the guard page.
    hub::Hub& hub = hub::Hub::install(64 * 1024);
    // uvicorn answers Expect: 100-continue when the app first reads the body; gunicorn's workers at once.
    init_serving(/*multithread=*/true, model_id() == trace::ModelId::Asyncio ? ExpectContinue::OnFirstRead
                                                                             : ExpectContinue::AtOnce);
    const wsgi::ViewStyle style =
        model_id() == trace::ModelId::Asyncio ? wsgi::ViewStyle::Coroutine : wsgi::ViewStyle::Plain;
    runtime_ = std::make_unique<GreenRuntime>(gil(), style, [this] { check_signals(); });
    gil().acquire();  // one OS thread: it holds the GIL for good
    // A signal that wakes the idle hub is handled in a greenlet of its own
    // (a handler that ends that greenlet — SIGABRT — ends only it).
    hub.set_on_signal([this, &hub] { hub.spawn([this] { check_signals(); }); });
    for (const net::Listener& l : listeners()) sys::set_nonblocking(l.fd(), true);
    try {
        start_servers();
        // The main greenlet: notify, then sleep a second (gunicorn: `while self.alive: self.notify(); sleep(1.0)`).
        // A HubExit thrown in another greenlet (QUIT, INT) comes back out of sleep().
        while (alive()) {
            notify();
            if (!is_parent_alive()) break;
            // sleep(1.0) in main_tick()s, cut short when alive goes false
            for (auto slept = 0ms; slept < 1s && alive(); slept += main_tick())
                hub.wait_queue(main_wake_, hub::Clock::now() + main_tick());
        }
        graceful_stop();
    } catch (const hub::HubExit& e) {
        throw process::SystemExit{e.code};
    }
    if (abort_requested_) throw process::SystemExit{1};
}

void AsyncWorker::start_servers() {
    hub::Hub& hub = hub::Hub::current();
    for (const net::Listener& listener : listeners()) {
        pools_.push_back(std::make_unique<GreenPool>(pool_size()));
        GreenPool& pool = *pools_.back();
        acceptors_.push_back(hub.spawn([this, &listener, &pool] {
            hub::Hub::current().set_task_kind(trace::LoopCallback::Accept);
            serve(listener, pool);
        }));
    }
}

std::size_t AsyncWorker::pool_size() const { return static_cast<std::size_t>(std::max(1, cfg().worker_connections)); }

// server.stop() / close(): the acceptors are killed where they park (the
// listener's watcher, a full pool, a backoff timer); tasks in flight stay.
void AsyncWorker::stop_servers() {
    hub::Hub& hub = hub::Hub::current();
    for (hub::GreenId id : acceptors_) hub.kill(id);
    acceptors_.clear();
    hub.yield();  // Greenlet.kill(block=True): the woken acceptors unwind before we go on
}

std::size_t AsyncWorker::busy() const {
    std::size_t n = 0;
    for (const auto& p : pools_) n += p->used();
    return n;
}

void AsyncWorker::graceful_stop() {
    hub::Hub& hub = hub::Hub::current();
    stop_servers();
    const auto limit = hub::Clock::now() + std::chrono::seconds(cfg().graceful_timeout);
    while (busy() > 0) {
        if (hub::Clock::now() >= limit) {
            log().info("Worker graceful timeout (pid:{})", pid());
            return;
        }
        notify();
        hub.sleep(100ms);
    }
}

void AsyncWorker::handle_exit() {
    Worker::handle_exit();
    hub::Hub::current().wake_one(main_wake_);
}

void AsyncWorker::handle_abort() {
    set_alive(false);
    abort_requested_ = true;
    hub::Hub::current().wake_one(main_wake_);
    throw hub::GreenletExit{};  // lands in the running greenlet; handle() swallows it
}

void AsyncWorker::handle_quit() {
    set_alive(false);
    throw hub::HubExit{0};  // the hub hands it to the main greenlet, which exits
}

AcceptResult AsyncWorker::accept_one(const net::Listener& listener, ServerConn& out) {
    const AcceptResult r = accept_client(listener, pid(), ids().conn, out, log());
    switch (r) {
        case AcceptResult::Accepted:
            sys::set_nonblocking(out.fd.get(), true);  // green sockets stay non-blocking
            backoff_.succeeded(log());
            break;
        case AcceptResult::Exhausted:
            hub::Hub::current().sleep(backoff_.failed(log()));  // stop accepting for a while
            break;
        case AcceptResult::Empty:
        case AcceptResult::Failed:
            break;
    }
    return r;
}

void AsyncWorker::spawn_handler(GreenPool& pool, std::shared_ptr<ServerConn> conn) {
    pool.acquire();
    const std::uint64_t id = conn->id;
    hub::Hub::current().spawn(
        [this, conn = std::move(conn), &pool] {
            GreenPool::Held slot{pool};
            handle(*conn);
        },
        id);
}

void AsyncWorker::handle(ServerConn& conn) {
    struct CloseTrace {
        ServerConn& conn;
        ~CloseTrace() { trace::ev::Close{.conn = conn.id, .requests = conn.requests}.emit(); }
    } close_trace{conn};
    // The keep-alive timer covers the wait for each request head; the body
    // is read by the app, with no timer (gunicorn's timeout wraps next(parser)).
    GreenConnectionIo io;
    try {
        while (true) {
            const int keepalive = keepalive_seconds();
            if (keepalive > 0) io.set_read_deadline(hub::Clock::now() + std::chrono::seconds(keepalive));
            IncomingRequest req;
            if (read_request(serving(), conn, req, io) != ReadResult::Request) break;
            io.clear_read_deadline();
            if (count_request()) hub::Hub::current().wake_one(main_wake_);  // max_requests: alive is false, this response closes
            bool force_close = !alive() || keepalive <= 0;
            if (handle_request(serving(), conn, req, force_close, *runtime_, io) == AfterResponse::Close) break;
            // Idle until the next request: keep only the pages in use. Only when no other
            // greenlet is ready (the last of a round; the worker is about to wait): under
            // load a trim per request cost a madvise and a page fault each (~15 % of the
            // worker's CPU), for pages the next request touches again at once.
            if (hub::Hub& hub = hub::Hub::current(); hub.ready_greenlets() == 0) hub.trim_stack();
        }
    } catch (const hub::GreenletExit&) {
        // gevent's handle_request: `except (GreenletExit, SystemExit): pass` — the connection just closes.
    }
}

}  // namespace minicorn::models
