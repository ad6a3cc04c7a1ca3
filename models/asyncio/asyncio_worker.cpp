#include "models/asyncio/asyncio_worker.h"

#include <sys/epoll.h>

#include "engine/hub/hub.h"

namespace minicorn::models {

void AsyncioWorker::start_servers() {
    hub::Hub::current().set_loop_trace(true);  // the hub's turn is this worker's asyncio loop
    AsyncWorker::start_servers();
}

// asyncio's _accept_connection: the listener's reader callback; on
// readiness, accept up to 100 (its backlog), a task for each.
void AsyncioWorker::serve(const net::Listener& listener, GreenPool& pool) {
    hub::Hub& hub = hub::Hub::current();
    while (true) {
        hub.wait_fd(listener.fd(), EPOLLIN);
        for (int n = 0; n < 100; ++n) {
            auto conn = std::make_shared<ServerConn>();
            const AcceptResult r = accept_one(listener, *conn);
            if (r == AcceptResult::Empty || r == AcceptResult::Exhausted) break;
            if (r == AcceptResult::Accepted) spawn_handler(pool, std::move(conn));  // a task, run on the next turn
        }
    }
}

}  // namespace minicorn::models
