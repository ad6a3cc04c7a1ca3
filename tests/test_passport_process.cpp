// [process][passport] a request's passport, read from the trace the real
// engine and the real client record together: on every worker model the
// stages come in the order a request lives them and tile the client's
// latency; a request stuck in the accept queue behind a slowloris says so.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "engine/trace/model.h"
#include "engine/trace/passport.h"
#include "tests/support/leak_check.h"
#include "tests/support/load_process.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Passport;
using minicorn::trace::Recording;
using minicorn::trace::Stage;
using minicorn::trace::StageKind;
using minicorn::trace::StagePart;
using minicorn::trace::TraceModel;

namespace {

constexpr std::uint64_t kMs = 1'000'000;

std::string url(int port, std::string_view path) { return "http://127.0.0.1:" + std::to_string(port) + std::string(path); }

// Runs `minicorn load ARGS` into the server's trace to its end, then stops the server.
void load_then_stop(TracedServer& ts, std::vector<std::string> args) {
    args.push_back("--quiet");
    LoadProcess load(std::move(args), ts.region_fd());
    std::optional<int> status;
    ts.wait_until([&](const Recording&) { return (status = load.wait_exit(0s)).has_value(); }, 30s);
    INFO("client stderr: " << load.err());
    CHECK(status == std::optional<int>(0));
    ts.stop();
}

// Where a stage sits in a request's life; the waits that split a stage are left out.
int rank(StageKind k) {
    switch (k) {
        case StageKind::Connect: return 0;
        case StageKind::AcceptQueue: return 1;
        case StageKind::Accepted: return 2;
        case StageKind::KeepAliveWait: return 3;
        case StageKind::PoolQueue: return 4;
        case StageKind::Read: return 5;
        case StageKind::Parse: return 6;
        case StageKind::Handler: return 7;
        case StageKind::Write: return 8;
        case StageKind::Delivery: return 9;
        case StageKind::KeptAlive: return 10;
        case StageKind::Closed: return 11;
        default: return -1;  // GilWait, Parked*: inside another stage
    }
}

std::string describe(const Passport& p) {
    std::string out;
    for (const Stage& s : p.stages) {
        out += std::string(to_string(s.part)).substr(0, 10) + " | " + std::string(to_string(s.kind)) + " " +
               minicorn::trace::format_duration(s.duration_ns) + " — " + s.what +
               (s.reason.empty() ? "" : " [" + s.reason + "]") + "\n";
    }
    return out;
}

// The checks every passport passes: stages tile the life, come in order, and
// the latency stages sum to what the client measured.
void check_passport(const Passport& p, const Event& done, bool first_on_connection) {
    INFO(describe(p));
    REQUIRE(!p.stages.empty());
    for (std::size_t i = 0; i + 1 < p.stages.size(); ++i) CHECK(p.stages[i].end_ns() == p.stages[i + 1].start_ns);
    int last = -1;
    for (const Stage& s : p.stages) {
        if (rank(s.kind) < 0) continue;
        CHECK(rank(s.kind) >= last);
        last = rank(s.kind);
    }
    for (StageKind k : {StageKind::Read, StageKind::Parse, StageKind::Handler, StageKind::Write}) {
        CHECK(p.find(k) != nullptr);
    }
    if (first_on_connection) {
        CHECK(p.find(StageKind::Connect) != nullptr);
        CHECK(p.find(StageKind::AcceptQueue) != nullptr);
        REQUIRE(p.find(StageKind::Accepted) != nullptr);
        CHECK(p.find(StageKind::Accepted)->what.find("accepted by worker 1 (pid ") != std::string::npos);
    }
    const auto client_latency_ns = static_cast<std::uint64_t>(done.a1) * 1000;
    const std::uint64_t sum = p.latency_sum_ns();
    CHECK(sum == p.latency_ns());
    CHECK((sum > client_latency_ns ? sum - client_latency_ns : client_latency_ns - sum) <= kMs);
    CHECK(p.status == 200);
}

struct Model {
    const char* name;
    StageKind sleep;  // how its /io view waits: a parked greenlet, or the handler blocking its thread
};

}  // namespace

TEST_CASE("the passport of a request lists its stages in order, and they sum to the latency the client measured, "
          "on every worker model",
          "[process][passport]") {
    const Model models[] = {{"sync", StageKind::Handler},         {"gthread", StageKind::Handler},
                            {"eventlet", StageKind::ParkedTimer}, {"gevent", StageKind::ParkedTimer},
                            {"tornado", StageKind::Handler},      {"asyncio", StageKind::ParkedTimer}};
    for (const Model& m : models) {
        DYNAMIC_SECTION(m.name) {
            LeakCheck leaks;
            TracedServer ts({"-w", "1", "-k", m.name});
            REQUIRE(ts.server().wait_for_workers(1, 10s));
            load_then_stop(ts, {url(ts.server().port(), "/io?ms=30"), "-c", "1", "-n", "3"});
            const Recording& rec = ts.recording();
            TraceModel model(rec);
            model.update();
            auto world_at = [&](std::uint64_t t) { return model.world_at(t); };

            std::map<std::uint64_t, int> sent_on;  // client conn → requests sent before
            const auto dones = events_of(rec, EventKind::ClientDone);
            REQUIRE(dones.size() == 3);
            for (const Event& done : dones) {
                auto ids = minicorn::trace::find_request(rec, done.req);
                REQUIRE(ids.has_value());
                CHECK(ids->client_req == done.req);
                CHECK(ids->server_req != 0);
                const Passport p = minicorn::trace::build_passport(rec, *ids, world_at);
                check_passport(p, done, sent_on[done.conn]++ == 0);
                // The 30 ms sleep is where the time went: a parked greenlet (with its
                // reason) or a handler that holds its thread.
                INFO(describe(p));
                const Stage* sleep = p.find(m.sleep);
                REQUIRE(sleep != nullptr);
                std::uint64_t slept = 0;
                for (const Stage& s : p.stages) slept += s.kind == m.sleep ? s.duration_ns : 0;
                CHECK(slept >= 25 * kMs);
                if (m.sleep == StageKind::ParkedTimer) CHECK(sleep->reason.find("sleeps") != std::string::npos);
                if (std::string(m.name) == "gthread") CHECK(p.find(StageKind::PoolQueue) != nullptr);
                // Looked up by the server's id instead, it is the same request.
                auto by_server = minicorn::trace::find_request(rec, ids->server_req);
                REQUIRE(by_server.has_value());
                CHECK(by_server->client_req == done.req);
            }
        }
    }
}

TEST_CASE("a request that waited in the accept queue behind a slowloris says so, naming the slow client",
          "[process][passport]") {
    LeakCheck leaks;
    TracedServer ts({"-w", "1", "-k", "sync"});
    REQUIRE(ts.server().wait_for_workers(1, 10s));
    load_then_stop(ts, {url(ts.server().port(), "/"), "-c", "1", "--slowloris", "1", "--slowloris-ms", "20", "-d",
                        "3", "--timeout", "20"});
    const Recording& rec = ts.recording();
    TraceModel model(rec);
    model.update();
    auto world_at = [&](std::uint64_t t) { return model.world_at(t); };

    std::size_t behind = 0;
    for (const Event& done : events_of(rec, EventKind::ClientDone)) {
        auto ids = minicorn::trace::find_request(rec, done.req);
        REQUIRE(ids.has_value());
        const Passport p = minicorn::trace::build_passport(rec, *ids, world_at);
        const Stage* queue = p.find(StageKind::AcceptQueue);
        if (!queue || queue->duration_ns < 100 * kMs) continue;
        INFO(describe(p));
        CHECK(queue->part == StagePart::Latency);
        CHECK(queue->reason.find("in the accept queue: the only worker was busy — worker 1 reading a slow client "
                                 "(a slowloris") != std::string::npos);
        ++behind;
    }
    CHECK(behind >= 1);
}
