// models/green/green_group.cpp — see green_group.h.
#include "models/green/green_group.h"

#include <cstddef>
#include <exception>
#include <memory>

#include "engine/hub/hub.h"

namespace minicorn::models {

namespace {

// What the joining greenlet waits on: gevent.joinall's countdown.
struct Join {
    std::size_t running = 0;
    hub::WaitQueue done;       // the caller, parked until running reaches 0
    std::exception_ptr first;  // the first task's exception
};

}  // namespace

void spawn_and_join(std::span<const wsgi::Task> tasks, wsgi::Runtime& runtime, trace::LoopCallback kind) {
    hub::Hub& hub = hub::Hub::current();
    auto join = std::make_shared<Join>();
    const std::uint64_t conn = hub.current_conn();
    for (const wsgi::Task& task : tasks) {
        ++join->running;
        hub.spawn(
            [join, task, &runtime, kind] {
                hub::Hub& h = hub::Hub::current();
                h.set_task_kind(kind);
                try {
                    task(runtime);
                } catch (const hub::GreenletExit&) {
                    // Killed (the worker is stopping): it still counts as ended.
                    if (--join->running == 0) h.wake_one(join->done);
                    throw;
                } catch (...) {
                    if (!join->first) join->first = std::current_exception();
                }
                if (--join->running == 0) h.wake_one(join->done);
            },
            conn);
    }
    while (join->running > 0) hub.wait_queue(join->done);
    if (join->first) std::rethrow_exception(join->first);
}

}  // namespace minicorn::models
