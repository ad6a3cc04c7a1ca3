#include "models/gevent/gevent_worker.h"

#include <sys/epoll.h>

#include <chrono>

#include "engine/hub/hub.h"

namespace minicorn::models {

using namespace std::chrono_literals;

void GeventWorker::start_servers() {
    hub::Hub& hub = hub::Hub::current();
    for (std::size_t i = 0; i < listeners().size(); ++i) {
        pools_.push_back(std::make_unique<GreenPool>(static_cast<std::size_t>(std::max(1, cfg().worker_connections))));
        hub.spawn([this, i] { serve(i); });
    }
}

// The StreamServer's read watcher and its _do_read callback.
void GeventWorker::serve(std::size_t listener_index) {
    hub::Hub& hub = hub::Hub::current();
    const net::Listener& listener = listeners()[listener_index];
    GreenPool& pool = *pools_[listener_index];
    while (accepting_) {
        if (pool.full()) pool.wait_slot();  // stop accepting until a slot frees
        if (!accepting_) break;
        // The watcher: wake when the listener is readable (re-checking now and then for a stop).
        if (hub.wait_fd(listener.fd(), EPOLLIN, hub::Clock::now() + 200ms) != hub::Wait::Ready) continue;
        for (int n = 0; n < max_accept() && accepting_ && !pool.full(); ++n) {
            auto conn = std::make_shared<ServerConn>();
            AcceptResult r = accept_one(listener, *conn);
            if (r == AcceptResult::Empty) break;  // EWOULDBLOCK: the herd's losers return quietly
            if (r != AcceptResult::Accepted) continue;
            pool.acquire();
            hub.spawn([this, conn, &pool] {  // scheduled, not run: it starts when this greenlet yields
                GreenPool::Held slot{pool};
                handle(*conn);
            });
        }
    }
}

void GeventWorker::stop_servers() {
    accepting_ = false;  // server.close(): the acceptors stop within one watcher period
}

std::size_t GeventWorker::busy() const {
    std::size_t n = 0;
    for (const auto& p : pools_) n += p->used();
    return n;
}

}  // namespace minicorn::models
