// app/studio/synthetic.cpp — see synthetic.h.
#include "app/studio/synthetic.h"

#include <vector>

#include "engine/trace/ev.h"

namespace minicorn::studio {

using trace::Event;
namespace ev = trace::ev;

trace::Recording synthetic_recording(const SyntheticShape& shape) {
    std::vector<Event> events;
    events.reserve(shape.events + 64);
    std::uint64_t t = 1'000'000'000;
    const pid_t arbiter = 40000;
    // `green` for the kinds whose schema row has no greenlet (a connection's steps).
    auto add = [&](pid_t pid, const auto& event, std::uint32_t green = 0) {
        events.push_back(event.event(t, pid, pid));
        if (green) events.back().green = green;
        t += shape.spacing_ns;
    };
    auto worker_pid = [&](int i) { return static_cast<pid_t>(arbiter + 1 + i); };

    add(arbiter, ev::ArbiterStart{.workers = shape.workers});
    add(arbiter, ev::ListenerOpen{.fd = 5, .port = 8000});
    for (int w = 0; w < shape.workers; ++w) {
        add(arbiter, ev::WorkerSpawn{.pid = worker_pid(w), .age = w + 1});
        add(worker_pid(w), ev::WorkerBoot{.age = w + 1, .model = static_cast<std::int64_t>(trace::ModelId::Gevent)});
        add(worker_pid(w), ev::WorkerBooted{});
        add(worker_pid(w), ev::PollRegister{.fd = 5, .events = 1});
    }
    add(arbiter, ev::WorkerCount{.live = shape.workers, .wanted = shape.workers});

    std::vector<std::int64_t> requests(static_cast<std::size_t>(shape.workers), 0);
    std::vector<std::uint32_t> served(static_cast<std::size_t>(shape.connections), 0);
    auto conn_id = [&](int c) { return trace::make_id(worker_pid(c % shape.workers), static_cast<std::uint32_t>(c + 1)); };
    for (int c = 0; c < shape.connections; ++c) {
        pid_t pid = worker_pid(c % shape.workers);
        auto green = static_cast<std::uint32_t>(c + 2);
        add(pid, ev::Accepted{.conn = conn_id(c), .peer_port = 40000 + c, .listen_fd = 5});
        add(pid, ev::GreenSpawn{.conn = conn_id(c), .green = green, .parent = 1});
        add(pid, ev::PollRegister{.conn = conn_id(c), .fd = 100 + c, .events = 1});
        add(pid, ev::KeepAlivePark{.conn = conn_id(c), .deadline_ms = 2000});
        add(pid, ev::GreenPark{.conn = conn_id(c), .green = green, .fd = 100 + c, .events = 1});
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
            add(pid, ev::Counter{.counter = static_cast<std::int64_t>(trace::CounterId::Requests), .value = done});
            add(pid, ev::PollWait{.timeout_ms = 1000, .fds = c});
            add(pid, ev::PollWake{.ready = 3});
            add(arbiter, ev::AcceptQueueSample{.length = c % 7, .backlog = 2048});
            add(pid, ev::Heartbeat{.engine_ms = static_cast<std::int64_t>(t / 1'000'000)});
        }
        add(pid, ev::GreenWake{.conn = conn, .green = green, .fd = 100 + c});
        add(pid, ev::GreenSwitch{.conn = conn, .green = green, .from = 1});
        add(pid, ev::KeepAliveResume{.conn = conn});
        add(pid, ev::ReadStart{.conn = conn}, green);
        add(pid, ev::ReadDone{.conn = conn, .bytes = 80}, green);
        add(pid, ev::Parsed{.conn = conn, .req = req, .http = 11}, green);
        add(pid, ev::HandlerStart{.conn = conn, .req = req}, green);
        add(pid, ev::HandlerEnd{.conn = conn, .req = req, .status = 200}, green);
        add(pid, ev::WriteStart{.conn = conn, .req = req}, green);
        add(pid, ev::WriteDone{.conn = conn, .req = req, .bytes = 120}, green);
        ++requests[static_cast<std::size_t>(c % shape.workers)];
        add(pid, ev::KeepAlivePark{.conn = conn, .deadline_ms = static_cast<std::int64_t>(t / 1'000'000) + 2000});
        add(pid, ev::GreenPark{.conn = conn, .green = green, .fd = 100 + c, .events = 1});
    }
    trace::Recording rec;
    rec.append(events);
    return rec;
}

}  // namespace minicorn::studio
