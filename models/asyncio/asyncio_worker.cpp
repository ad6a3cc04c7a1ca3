#include "models/asyncio/asyncio_worker.h"

#include <sys/epoll.h>

#include <memory>

#include "engine/hub/hub.h"

namespace minicorn::models {

void AsyncioWorker::start_servers() {
    hub::Hub& hub = hub::Hub::current();
    hub.set_loop_trace(true);  // the hub's turn is this worker's asyncio loop: phases, timers, ready tasks
    for (std::size_t i = 0; i < listeners().size(); ++i) acceptors_.push_back(hub.spawn([this, i] { serve(i); }));
}

// Server.close(): the listeners' reader callbacks go; tasks in flight stay.
// The acceptors park with no deadline (asyncio has no timer on a listener),
// so they are woken with GreenletExit rather than left to notice a flag.
void AsyncioWorker::stop_servers() {
    accepting_ = false;
    hub::Hub& hub = hub::Hub::current();
    for (hub::GreenId id : acceptors_) hub.kill(id);
    acceptors_.clear();
}

// asyncio's _accept_connection: on readiness, accept up to 100, one task each.
void AsyncioWorker::serve(std::size_t listener_index) {
    hub::Hub& hub = hub::Hub::current();
    hub.set_task_kind(trace::LoopCallback::Accept);
    const net::Listener& listener = listeners()[listener_index];
    while (accepting_) {
        if (hub.wait_fd(listener.fd(), EPOLLIN) != hub::Wait::Ready) continue;
        for (int n = 0; n < 100 && accepting_; ++n) {
            auto conn = std::make_shared<ServerConn>();
            AcceptResult r = accept_one(listener, *conn);
            if (r == AcceptResult::Empty) break;
            if (r != AcceptResult::Accepted) continue;
            ++busy_;
            hub.spawn(
                [this, conn] {  // a task per connection, started on the loop's next turn
                    handle(*conn);
                    --busy_;
                },
                conn->id);
        }
    }
}

}  // namespace minicorn::models
