#include "models/asyncio/asyncio_worker.h"

#include <sys/epoll.h>

#include <chrono>
#include <memory>

#include "engine/hub/hub.h"

namespace minicorn::models {

using namespace std::chrono_literals;

void AsyncioWorker::start_servers() {
    hub::Hub& hub = hub::Hub::current();
    for (std::size_t i = 0; i < listeners().size(); ++i) hub.spawn([this, i] { serve(i); });
}

// asyncio's _accept_connection: on readiness, accept up to 100, one task each.
void AsyncioWorker::serve(std::size_t listener_index) {
    hub::Hub& hub = hub::Hub::current();
    const net::Listener& listener = listeners()[listener_index];
    while (accepting_) {
        if (hub.wait_fd(listener.fd(), EPOLLIN, hub::Clock::now() + 200ms) != hub::Wait::Ready) continue;
        for (int n = 0; n < 100 && accepting_; ++n) {
            auto conn = std::make_shared<ClientConn>();
            AcceptResult r = accept_one(listener, *conn);
            if (r == AcceptResult::Empty) break;
            if (r != AcceptResult::Accepted) continue;
            ++busy_;
            hub.spawn([this, conn] {  // a task per connection, started on the loop's next turn
                handle(*conn);
                --busy_;
            });
        }
    }
}

}  // namespace minicorn::models
