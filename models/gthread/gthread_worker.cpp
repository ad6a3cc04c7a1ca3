// models/gthread/gthread_worker.cpp — see gthread_worker.h for the design.
//
// The main loop, one named phase per step (gunicorn 20.1's ThreadWorker.run):
//   1. notify            — heartbeat
//   2a. poll (1 s)       — below worker_connections: accept / reuse callbacks
//   2b. wait on futures  — at worker_connections: no polling at all
//   3. parent check
//   4. murder_keepalived — close parked connections past their deadline
#include "models/gthread/gthread_worker.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>

#include "engine/trace/ev.h"
#include "engine/wsgi/gil.h"
#include "engine/wsgi/thread_runtime.h"

namespace minicorn::models {

namespace {
// Poller tags: listeners are tagged with their index | kListenerTag; a parked
// connection with its fd.
constexpr std::uint64_t kListenerTag = std::uint64_t{1} << 63;
}  // namespace

void GthreadWorker::run() {
    init_serving(/*multithread=*/true);
    max_keepalived_ = cfg().worker_connections - cfg().threads;
    poller_.emplace();
    poller_->set_tag_fd([this](std::uint64_t tag) {
        return (tag & kListenerTag) != 0 ? listeners()[tag & ~kListenerTag].fd() : static_cast<int>(tag);
    });
    for (std::size_t i = 0; i < listeners().size(); ++i) {
        sys::set_nonblocking(listeners()[i].fd(), true);
        poller_->add(listeners()[i].fd(), EPOLLIN, kListenerTag | i);
    }
    tpool_ = std::make_unique<ThreadPool>(std::max(1, cfg().threads), [this](Conn c) { handle(std::move(c)); });

    gil().acquire();  // the main thread runs "Python" from here on
    std::vector<loop::Ready> ready;
    while (alive()) {
        notify();
        if (nr_conns_.load() < cfg().worker_connections) {
            resume_accepting_if_due();
            const int timeout = poll_timeout_ms();
            loop::WaitStatus st;
            {
                wsgi::Gil::Released no_gil(gil());
                st = poller_->wait(timeout, ready);  // traced PollWait / PollWake
            }
            if (st == loop::WaitStatus::Interrupted) check_signals();
            for (const loop::Ready& r : ready) {
                if (!alive()) break;
                if (r.tag & kListenerTag) {
                    if (accept_resume_ns_ == 0) accept(listeners()[r.tag & ~kListenerTag]);
                } else {
                    reuse_connection(static_cast<int>(r.tag));
                }
            }
        } else {
            // Saturated: 20.1 does not poll at all — no accept, no keep-alive
            // reuse — and blocks on the running requests instead.
            trace::ev::FuturesWait{.timeout_ms = 1000, .outstanding = tpool_->outstanding()}.emit();
            wsgi::Gil::Released no_gil(gil());
            tpool_->wait_one(std::chrono::milliseconds(1000));
        }
        check_signals();
        if (!is_parent_alive()) break;
        murder_keepalived();
    }

    // Graceful stop: no new work, no more polling; running requests get up
    // to graceful_timeout. Parked keep-alive connections are simply dropped.
    tpool_->shutdown();
    poller_->close();
    wsgi::Gil::Released no_gil(gil());
    tpool_->wait_all(std::chrono::seconds(cfg().graceful_timeout));
}

void GthreadWorker::check_config(const process::Config& cfg, process::Logger& log) {
    if (cfg.worker_connections - cfg.threads <= 0 && cfg.keepalive > 0) {
        log.warning("No keepalived connections can be handled. Check the number of worker connections and threads.");
    }
}

void GthreadWorker::handle_quit() {
    if (tpool_) tpool_->shutdown();
    Worker::handle_quit();
}

void GthreadWorker::accept(const net::Listener& listener) {
    auto conn = std::make_shared<ServerConn>();
    const AcceptResult r = accept_client(listener, pid(), ids().conn, *conn, log());
    if (r == AcceptResult::Exhausted) {
        stop_accepting(backoff_.failed(log()));
        return;
    }
    if (r != AcceptResult::Accepted) return;
    backoff_.succeeded(log());
    nr_conns_.fetch_add(1);
    enqueue_req(std::move(conn));
}

// Out of fds: the listeners leave the poller for the backoff delay (a
// readable listener would wake every poll at once), as gevent's servers do.
void GthreadWorker::stop_accepting(std::chrono::milliseconds delay) {
    for (const net::Listener& l : listeners()) poller_->remove(l.fd());
    accept_resume_ns_ = trace::engine_now_ns() + std::chrono::nanoseconds(delay).count();
}

void GthreadWorker::resume_accepting_if_due() {
    if (accept_resume_ns_ == 0 || trace::engine_now_ns() < accept_resume_ns_) return;
    accept_resume_ns_ = 0;
    for (std::size_t i = 0; i < listeners().size(); ++i) poller_->add(listeners()[i].fd(), EPOLLIN, kListenerTag | i);
}

// gunicorn's 1 s poll, shorter while accepting is paused (to resume on time).
int GthreadWorker::poll_timeout_ms() const {
    constexpr int kPollMs = 1000;
    if (accept_resume_ns_ == 0) return kPollMs;
    const std::int64_t left_ns = accept_resume_ns_ - trace::engine_now_ns();
    return static_cast<int>(std::clamp<std::int64_t>((left_ns + 999'999) / 1'000'000, 0, kPollMs));
}

void GthreadWorker::enqueue_req(Conn conn) {
    sys::set_nonblocking(conn->fd.get(), false);  // conn.init(): a blocking socket for the pool thread
    std::uint64_t id = conn->id;
    std::size_t queued = tpool_->submit(std::move(conn));
    trace::ev::PoolSubmit{.conn = id, .queue = queued}.emit();
}

void GthreadWorker::reuse_connection(int fd) {
    Conn conn;
    {
        std::lock_guard lock(lock_);
        auto it = registered_.find(fd);
        if (it == registered_.end()) return;  // lost a race with murder_keepalived
        conn = it->second;
        registered_.erase(it);
        poller_->remove(fd, conn->id);
        auto k = std::find(keep_.begin(), keep_.end(), conn);
        if (k == keep_.end()) return;
        keep_.erase(k);
    }
    trace::ev::KeepAliveResume{.conn = conn->id}.emit();
    enqueue_req(std::move(conn));
}

void GthreadWorker::murder_keepalived() {
    std::int64_t now = trace::engine_now_ns();
    std::vector<Conn> expired;
    {
        std::lock_guard lock(lock_);
        while (!keep_.empty() && keep_.front()->deadline_ns <= now) {
            Conn conn = keep_.front();
            keep_.pop_front();
            registered_.erase(conn->fd.get());
            poller_->remove(conn->fd.get(), conn->id);
            expired.push_back(std::move(conn));
        }
    }
    for (Conn& conn : expired) {
        nr_conns_.fetch_sub(1);
        close_conn(*conn);
    }
}

// ----------------------------------------------------------------------------
// Pool threads
// ----------------------------------------------------------------------------
void GthreadWorker::handle(Conn conn) {
    // Python-level signal handlers run on the main thread only.
    thread_local wsgi::ThreadRuntime runtime(gil(), {});
    thread_local ThreadConnectionIo io(gil(), {});
    wsgi::Gil::Held holds(gil());
    trace::ev::PoolStart{.conn = conn->id}.emit();
    bool keepalive = false;
    IncomingRequest req;
    if (read_request(serving(), *conn, req, io) == ReadResult::Request) {
        bool last = count_request();  // at max_requests: alive goes false
        bool force_close = last || !alive() || cfg().keepalive <= 0;
        if (!force_close) {
            std::lock_guard lock(lock_);
            force_close = static_cast<int>(keep_.size()) >= max_keepalived_;
        }
        keepalive = handle_request(serving(), *conn, req, force_close, runtime, io) == AfterResponse::KeepAlive;
    }
    trace::ev::PoolFinish{.conn = conn->id, .keep_alive = keepalive}.emit();
    finish_request(std::move(conn), keepalive);
}

// The done-callback, on the pool thread that ran the request.
void GthreadWorker::finish_request(Conn conn, bool keepalive) {
    if (keepalive && alive() && !conn->buffer.empty()) {
        // The next request's first bytes are already read (they came with the
        // drained rest of a body, or were pipelined): the poller would never
        // report them, so the connection goes straight back to the pool.
        enqueue_req(std::move(conn));
        return;
    }
    if (keepalive && alive()) {
        sys::set_nonblocking(conn->fd.get(), true);
        conn->deadline_ns = trace::engine_now_ns() + std::int64_t{cfg().keepalive} * 1'000'000'000;
        int fd = conn->fd.get();
        std::uint64_t id = conn->id;
        std::int64_t deadline_ms = conn->deadline_ns / 1'000'000;
        {
            std::lock_guard lock(lock_);
            keep_.push_back(conn);
            registered_[fd] = conn;
            poller_->add(fd, EPOLLIN, static_cast<std::uint64_t>(fd), id);
        }
        trace::ev::KeepAlivePark{.conn = id, .deadline_ms = deadline_ms}.emit();
        return;
    }
    nr_conns_.fetch_sub(1);
    close_conn(*conn);
}

void GthreadWorker::close_conn(ServerConn& conn) {
    trace::ev::Close{.conn = conn.id, .requests = conn.requests}.emit();
    conn.fd.reset();
}

}  // namespace minicorn::models
