#include "models/eventlet/eventlet_worker.h"

#include <sys/epoll.h>

#include <chrono>

#include "engine/hub/hub.h"

namespace minicorn::models {

using namespace std::chrono_literals;

void EventletWorker::start_servers() {
    hub::Hub& hub = hub::Hub::current();
    for (std::size_t i = 0; i < listeners().size(); ++i) {
        pools_.push_back(std::make_unique<GreenPool>(static_cast<std::size_t>(std::max(1, cfg().worker_connections))));
        hub.spawn([this, i] { serve(i); });
    }
    hub.yield();  // eventlet.sleep(0): let the acceptors start
}

// gunicorn's _eventlet_serve.
void EventletWorker::serve(std::size_t listener_index) {
    hub::Hub& hub = hub::Hub::current();
    const net::Listener& listener = listeners()[listener_index];
    GreenPool& pool = *pools_[listener_index];
    while (accepting_) {
        auto conn = std::make_shared<ServerConn>();
        AcceptResult r = accept_one(listener, *conn);
        if (r == AcceptResult::Empty) {
            // sock.accept() trampolines: park until the listener is readable.
            hub.wait_fd(listener.fd(), EPOLLIN, hub::Clock::now() + 200ms);
            continue;
        }
        if (r != AcceptResult::Accepted) continue;
        pool.acquire();  // GreenPool.spawn parks the acceptor while the pool is full
        hub.spawn([this, conn, &pool] {
            GreenPool::Held slot{pool};
            handle(*conn);
        });
    }
}

void EventletWorker::stop_servers() { accepting_ = false; }

std::size_t EventletWorker::busy() const {
    std::size_t n = 0;
    for (const auto& p : pools_) n += p->used();
    return n;
}

}  // namespace minicorn::models
