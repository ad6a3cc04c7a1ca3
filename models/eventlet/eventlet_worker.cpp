#include "models/eventlet/eventlet_worker.h"

#include <sys/epoll.h>

#include "engine/hub/hub.h"

namespace minicorn::models {

void EventletWorker::start_servers() {
    AsyncWorker::start_servers();
    hub::Hub::current().yield();  // eventlet.sleep(0): let the acceptors start
}

// gunicorn's _eventlet_serve: accept() — which trampolines, parking until
// the listener is readable — then GreenPool.spawn, which parks the acceptor
// while the pool is full.
void EventletWorker::serve(const net::Listener& listener, GreenPool& pool) {
    hub::Hub& hub = hub::Hub::current();
    while (true) {
        auto conn = std::make_shared<ServerConn>();
        const AcceptResult r = accept_one(listener, *conn);
        if (r == AcceptResult::Empty) hub.wait_fd(listener.fd(), EPOLLIN);
        if (r == AcceptResult::Accepted) spawn_handler(pool, std::move(conn));
    }
}

}  // namespace minicorn::models
