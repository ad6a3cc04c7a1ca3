// app/studio/synthetic.cpp — see synthetic.h.
#include "app/studio/synthetic.h"

#include <vector>

namespace minicorn::studio {

using trace::Event;
using trace::EventKind;

trace::Recording synthetic_recording(const SyntheticShape& shape) {
    std::vector<Event> events;
    events.reserve(shape.events + 64);
    std::uint64_t t = 1'000'000'000;
    const pid_t arbiter = 40000;
    auto add = [&](pid_t pid, EventKind kind, std::uint64_t conn = 0, std::uint64_t req = 0, std::int64_t a0 = 0,
                   std::int64_t a1 = 0, std::uint32_t green = 0) {
        events.push_back(Event{t, pid, pid, green, kind, 0, conn, req, a0, a1, 0});
        t += shape.spacing_ns;
    };
    auto worker_pid = [&](int i) { return static_cast<pid_t>(arbiter + 1 + i); };

    add(arbiter, EventKind::ArbiterStart, 0, 0, shape.workers);
    add(arbiter, EventKind::ListenerOpen, 0, 0, 5, 8000);
    for (int w = 0; w < shape.workers; ++w) {
        add(arbiter, EventKind::WorkerSpawn, 0, 0, worker_pid(w), w + 1);
        add(worker_pid(w), EventKind::WorkerBoot, 0, 0, w + 1, static_cast<std::int64_t>(trace::ModelId::Gevent));
        add(worker_pid(w), EventKind::WorkerBooted);
        add(worker_pid(w), EventKind::PollRegister, 0, 0, 5, 1);
    }
    add(arbiter, EventKind::WorkerCount, 0, 0, shape.workers, shape.workers);

    std::vector<std::int64_t> requests(static_cast<std::size_t>(shape.workers), 0);
    std::vector<std::uint32_t> served(static_cast<std::size_t>(shape.connections), 0);
    auto conn_id = [&](int c) { return trace::make_id(worker_pid(c % shape.workers), static_cast<std::uint32_t>(c + 1)); };
    for (int c = 0; c < shape.connections; ++c) {
        pid_t pid = worker_pid(c % shape.workers);
        auto green = static_cast<std::uint32_t>(c + 2);
        add(pid, EventKind::Accepted, conn_id(c), 0, 40000 + c, 5);
        add(pid, EventKind::GreenSpawn, conn_id(c), 0, 1, 0, green);
        add(pid, EventKind::PollRegister, conn_id(c), 0, 100 + c, 1);
        add(pid, EventKind::KeepAlivePark, conn_id(c), 0, 2000);
        add(pid, EventKind::GreenPark, conn_id(c), 0, 100 + c, 1, green);
    }
    // Requests, round robin over the connections, until the budget is spent.
    for (int c = 0; events.size() + 16 < shape.events; c = (c + 1) % shape.connections) {
        pid_t pid = worker_pid(c % shape.workers);
        auto green = static_cast<std::uint32_t>(c + 2);
        std::uint64_t conn = conn_id(c);
        std::uint64_t req = trace::make_id(pid, 1'000'000 + static_cast<std::uint32_t>(c) * 4096 + served[static_cast<std::size_t>(c)]++);
        if (c % 50 == 0) {
            // The never-dropped counters, as the collector reports their changes.
            auto& done = requests[static_cast<std::size_t>(c % shape.workers)];
            add(pid, EventKind::Counter, 0, 0, static_cast<std::int64_t>(trace::CounterId::Requests), done);
            add(pid, EventKind::PollWait, 0, 0, 1000, c);
            add(pid, EventKind::PollWake, 0, 0, 3);
            add(arbiter, EventKind::AcceptQueueSample, 0, 0, c % 7, 2048);
            add(pid, EventKind::Heartbeat, 0, 0, static_cast<std::int64_t>(t / 1'000'000));
        }
        add(pid, EventKind::GreenWake, conn, 0, 100 + c, 0, green);
        add(pid, EventKind::GreenSwitch, conn, 0, 1, 0, green);
        add(pid, EventKind::KeepAliveResume, conn);
        add(pid, EventKind::ReadStart, conn, 0, 0, 0, green);
        add(pid, EventKind::ReadDone, conn, 0, 80, 0, green);
        add(pid, EventKind::Parsed, conn, req, 11, 0, green);
        add(pid, EventKind::HandlerStart, conn, req, 0, 0, green);
        add(pid, EventKind::HandlerEnd, conn, req, 200, 0, green);
        add(pid, EventKind::WriteStart, conn, req, 0, 0, green);
        add(pid, EventKind::WriteDone, conn, req, 120, 0, green);
        ++requests[static_cast<std::size_t>(c % shape.workers)];
        add(pid, EventKind::KeepAlivePark, conn, 0, static_cast<std::int64_t>(t / 1'000'000) + 2000);
        add(pid, EventKind::GreenPark, conn, 0, 100 + c, 1, green);
    }
    trace::Recording rec;
    rec.append(events);
    return rec;
}

}  // namespace minicorn::studio
