// models/sync/sync_worker.cpp — see sync_worker.h for the design.
//
// The loop, as gunicorn 20.1's run_for_one, one named phase per step:
//   1. notify          — heartbeat
//   2. accept          — non-blocking; a connection → handle it, back to 1
//   3. parent check    — the master is gone → leave
//   4. wait            — notify, select(listeners + signal pipe, timeout/2)
#include "models/sync/sync_worker.h"

#include <sys/select.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "engine/trace/emit.h"
#include "engine/wsgi/gil.h"

namespace minicorn::models {

void SyncWorker::run() {
    // "the socket appears to lose its blocking status after fork"
    for (const net::Listener& l : listeners()) sys::set_nonblocking(l.fd(), true);
    double timeout = half_timeout() > 0 ? half_timeout() : 0.5;
    init_serving(/*multithread=*/false);
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

bool SyncWorker::accept(const net::Listener& listener) {
    ServerConn conn;
    if (accept_client(listener, pid(), ids().conn, conn, log()) != AcceptResult::Accepted) return false;
    handle(conn);
    return true;
}

// handle: one connection, one request, then close (gunicorn's SyncWorker.handle).
void SyncWorker::handle(ServerConn& conn) {
    net::InterruptHook on_interrupt = [this] { check_signals(); };
    // Traced when the connection ends, however it ends — also when SystemExit
    // unwinds through here (the process is about to close it anyway).
    struct CloseTrace {
        ServerConn& conn;
        ~CloseTrace() { trace::emit(trace::EventKind::Close, conn.id, 0, conn.requests); }
    } close_trace{conn};
    ThreadConnectionIo io(gil(), on_interrupt);
    IncomingRequest req;
    if (read_request(serving(), conn, req, io) != ReadResult::Request) return;
    count_request();
    // The sync worker never keeps a connection alive: always Connection: close
    // (and a body the app left unread is not drained: the close drops it).
    handle_request(serving(), conn, req, /*force_close=*/true, *runtime_, io);
}

}  // namespace minicorn::models
