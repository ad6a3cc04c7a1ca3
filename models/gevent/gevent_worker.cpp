#include "models/gevent/gevent_worker.h"

#include <sys/epoll.h>

#include "engine/hub/hub.h"

namespace minicorn::models {

// The StreamServer: its read watcher on the listener (here the acceptor
// parked on it in the hub) and the watcher's callback, _do_read.
void GeventWorker::serve(const net::Listener& listener, GreenPool& pool) {
    hub::Hub& hub = hub::Hub::current();
    while (true) {
        pool.wait_slot();  // a full pool: stop_accepting() until a slot frees
        hub.wait_fd(listener.fd(), EPOLLIN);
        for (int n = 0; n < max_accept() && !pool.full(); ++n) {
            auto conn = std::make_shared<ServerConn>();
            const AcceptResult r = accept_one(listener, *conn);
            if (r == AcceptResult::Empty) break;      // EWOULDBLOCK: the herd's losers return quietly
            if (r == AcceptResult::Exhausted) break;  // backed off: watch the listener again
            if (r == AcceptResult::Accepted) spawn_handler(pool, std::move(conn));  // scheduled, not run
        }
    }
}

}  // namespace minicorn::models
