// tests/studio/test_studio_units.cpp — the studio's pieces that need no
// window: the Controls panel's settings → `minicorn serve` flags, the Traffic
// panel's settings → `minicorn load` flags, the request mix, and the Metrics
// the Traffic and Stats panels plot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "app/studio/panels/controls.h"
#include "app/studio/panels/metrics.h"
#include "app/studio/panels/traffic.h"
#include "app/studio/traffic_mix.h"
#include "engine/trace/ev.h"
#include "engine/trace/recording.h"

using namespace minicorn;
using namespace minicorn::studio;

namespace {

bool has_pair(const std::vector<std::string>& args, const std::string& flag, const std::string& value) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == flag && args[i + 1] == value) return true;
    }
    return false;
}

// An event of process 100 at `t_ms`.
template <typename Kind>
trace::Event at_ms(std::uint64_t t_ms, const Kind& event) {
    return event.event(t_ms * 1'000'000, 100, 100);
}

}  // namespace

TEST_CASE("Controls: settings that differ from gunicorn's defaults become serve flags", "[studio]") {
    ControlsState state;
    init_controls(state, {"-k", "gevent", "-w", "3"});
    CHECK(state.error.empty());
    CHECK(state.values["worker_class"] == "gevent");
    CHECK(state.values["workers"] == "3");
    CHECK(state.values["timeout"] == "30");  // gunicorn's default, untouched
    std::vector<std::string> args = serve_args(state);
    CHECK(has_pair(args, "--workers", "3"));
    CHECK(has_pair(args, "--worker-class", "gevent"));
    CHECK(std::find(args.begin(), args.end(), "--timeout") == args.end());
    CHECK(state.applied == args);

    // An edit shows up as a flag; a flag setting appears bare; the studio's own settings never do.
    state.values["threads"] = "4";
    state.values["reuse_port"] = "True";
    state.values["pidfile"] = "/tmp/x.pid";
    args = serve_args(state);
    CHECK(has_pair(args, "--threads", "4"));
    CHECK(std::find(args.begin(), args.end(), "--reuse-port") != args.end());
    CHECK(std::find(args.begin(), args.end(), "--pid") == args.end());
    CHECK(std::find(args.begin(), args.end(), "--trace-fd") == args.end());
    CHECK(args != state.applied);  // the panel offers "Restart engine with these settings"
}

TEST_CASE("Controls: an argument the engine rejects is reported, not passed on silently", "[studio]") {
    ControlsState state;
    init_controls(state, {"-w", "many"});
    CHECK_THAT(state.error, Catch::Contains("--workers"));
}

TEST_CASE("Traffic: the client's flags, bad actors only when asked for", "[studio]") {
    TrafficState t;
    t.users = 12;
    std::vector<std::string> args = load_args(t);
    CHECK(has_pair(args, "-c", "12"));
    CHECK(has_pair(args, "--keep-alive", "on"));
    CHECK(has_pair(args, "--mix", t.mix));
    CHECK(std::find(args.begin(), args.end(), "--slowloris") == args.end());

    t.mode = TrafficState::Mode::Rate;
    t.rate = 200;
    t.keep_alive = false;
    t.slowloris = 2;
    t.silent = 3;
    args = load_args(t);
    CHECK(has_pair(args, "--rate", "200"));
    CHECK(std::find(args.begin(), args.end(), "-c") == args.end());
    CHECK(has_pair(args, "--keep-alive", "off"));
    CHECK(has_pair(args, "--slowloris", "2"));
    CHECK(has_pair(args, "--slowloris-ms", "500"));
    CHECK(has_pair(args, "--silent", "3"));
}

TEST_CASE("the request mix: path:weight pairs, as minicorn load reads them", "[studio]") {
    TrafficMix mix = parse_mix("/io?ms=50:70,/cpu?ms=10:30");
    REQUIRE(mix.entries.size() == 2);
    CHECK(mix.entries[0].path == "/io?ms=50");
    CHECK(mix.entries[0].weight == 70);
    CHECK(mix.entries[1].path == "/cpu?ms=10");
    CHECK(mix.total == 100);
    std::minstd_rand rng(7);
    int io = 0;
    for (int i = 0; i < 1000; ++i) io += mix.pick(rng) == "/io?ms=50";
    CHECK(io > 600);
    CHECK(io < 800);

    CHECK(parse_mix("/").entries.at(0).weight == 1);
    TrafficMix junk = parse_mix("nonsense,:5");
    REQUIRE(junk.entries.size() == 1);
    CHECK(junk.entries[0].path == "/");
}

TEST_CASE("Metrics: requests a second and latency from the server's events", "[studio]") {
    trace::Recording rec;
    std::vector<trace::Event> events;
    // Seconds 1 and 2: 10 requests each, 20 ms from parsed to written; one 500 in second 2.
    for (std::uint64_t s = 1; s <= 2; ++s) {
        for (std::uint64_t i = 0; i < 10; ++i) {
            std::uint64_t t = s * 1000 + i * 50;
            std::uint64_t req = s * 100 + i;
            events.push_back(at_ms(t, trace::ev::Parsed{.conn = 1, .req = req}));
            events.push_back(at_ms(t + 10, trace::ev::HandlerEnd{.conn = 1, .req = req, .status = s == 2 && i == 0 ? 500 : 200}));
            events.push_back(at_ms(t + 20, trace::ev::WriteDone{.conn = 1, .req = req}));
        }
    }
    events.push_back(at_ms(3100, trace::ev::Heartbeat{}));  // second 3 has begun
    rec.append(events);
    Metrics m;
    m.update(rec, trace::World{});
    CHECK_FALSE(m.from_client());
    CHECK(m.total_requests() == 20);
    CHECK(m.total_errors() == 1);
    CHECK(m.requests_per_second() == Approx(10.0));
    auto hist = m.latency_histogram(10);
    double p50 = Metrics::percentile_ms(hist, 0.5);
    CHECK(p50 > 10.0);  // the 10..20 ms bin
    CHECK(p50 <= 20.0);
}

TEST_CASE("Metrics: a pause adds nothing to a latency (engine time, as the lessons measure it)", "[studio]") {
    // Lesson 06 in the studio: three 2 s requests, the learner looked at the
    // frozen engine for ~5 s; the Traffic panel said p50 7.1 s while the lesson
    // said latency(C) = 2.02 s.
    trace::Recording rec;
    std::vector<trace::Event> events;
    events.push_back(at_ms(1000, trace::ev::Parsed{.conn = 1, .req = 1}));
    events.push_back(at_ms(1100, trace::ev::GateClose{}));
    events.push_back(at_ms(6100, trace::ev::GateOpen{}));
    events.push_back(at_ms(8000, trace::ev::WriteDone{.conn = 1, .req = 1}));
    events.push_back(at_ms(9500, trace::ev::Heartbeat{}));
    rec.append(events);
    Metrics server;
    server.update(rec, trace::World{});
    // 2 s of engine time, not 7 s of wall time — and 2 s, not somewhere in the 1–2 s bin.
    CHECK(server.latency_percentile_ms(0.5) == Approx(2000.0).margin(1.0));

    // The client's stopwatch (ClientDone.latency_us) ran through the pause too.
    trace::Recording crec;
    const std::vector<trace::Event> client_events = {
        at_ms(1100, trace::ev::GateClose{}), at_ms(6100, trace::ev::GateOpen{}),
        at_ms(8000, trace::ev::ClientDone{.conn = 1, .req = 1, .status = 200, .latency_us = 7'000'000}),
        at_ms(9500, trace::ev::Heartbeat{})};
    crec.append(client_events);
    Metrics client;
    client.update(crec, trace::World{});
    REQUIRE(client.from_client());
    CHECK(client.latency_percentile_ms(0.5) == Approx(2000.0).margin(1.0));
}

TEST_CASE("Metrics: a percentile lands on the latencies measured, not on a bin's edges", "[studio]") {
    // Lesson 06: three requests of 2.00 s showed "p50 3.2 s" (the 2–5 s bin, interpolated).
    trace::Recording rec;
    std::vector<trace::Event> events;
    for (std::uint64_t i = 0; i < 3; ++i) {
        events.push_back(at_ms(1000 + i, trace::ev::Parsed{.conn = 1, .req = i + 1}));
        events.push_back(at_ms(3003 + i, trace::ev::WriteDone{.conn = 1, .req = i + 1}));
    }
    // And 97 of 20 ms: p50 is 20 ms, p99 one of the slow three.
    for (std::uint64_t i = 0; i < 97; ++i) {
        events.push_back(at_ms(3100 + i, trace::ev::Parsed{.conn = 2, .req = 100 + i}));
        events.push_back(at_ms(3120 + i, trace::ev::WriteDone{.conn = 2, .req = 100 + i}));
    }
    std::sort(events.begin(), events.end(), [](const trace::Event& a, const trace::Event& b) { return a.t_ns < b.t_ns; });
    events.push_back(at_ms(5000, trace::ev::Heartbeat{}));
    rec.append(events);
    Metrics m;
    m.update(rec, trace::World{});
    CHECK(m.latency_percentile_ms(0.5) == Approx(20.0).margin(0.01));
    CHECK(m.latency_percentile_ms(0.99) == Approx(2003.0).margin(1.0));
}

TEST_CASE("Metrics: once the client reports, its latency (accept queue included) is what is shown", "[studio]") {
    trace::Recording rec;
    std::vector<trace::Event> events;
    for (std::uint64_t i = 0; i < 30; ++i) {
        // ClientDone: a0 = status, a1 = latency in µs (300 ms).
        events.push_back(at_ms(1000 + i * 60, trace::ev::ClientDone{.conn = 1, .req = i + 1, .status = 200, .latency_us = 300'000}));
    }
    events.push_back(at_ms(1500, trace::ev::ClientError{.conn = 1, .kind = 4}));
    events.push_back(at_ms(4000, trace::ev::Heartbeat{}));
    rec.append(events);
    Metrics m;
    m.update(rec, trace::World{});
    CHECK(m.from_client());
    CHECK(m.total_requests() == 30);
    CHECK(m.total_errors() == 1);
    double p99 = Metrics::percentile_ms(m.latency_histogram(10), 0.99);
    CHECK(p99 > 200.0);
    CHECK(p99 <= 500.0);
}
