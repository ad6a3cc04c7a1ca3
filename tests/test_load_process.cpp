// [process][load] the built-in client against real servers, read from one
// trace that both sides write into: the client's requests joined to the
// server's by X-Request-Id (RequestTagged) and by the connection's port; and
// the bad actors doing to each worker model what they do to gunicorn's.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "engine/trace/model.h"
#include "tests/support/leak_check.h"
#include "tests/support/load_process.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::ClientErrorKind;
using minicorn::trace::ClientRole;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;
using minicorn::trace::TraceModel;
using minicorn::trace::World;

namespace {

std::string url(int port, std::string_view path = "/") { return "http://127.0.0.1:" + std::to_string(port) + std::string(path); }

// What the recording says about the client: each connection's role, each request's connection.
struct ClientSide {
    std::map<std::uint64_t, ClientRole> role_of_conn;       // ClientConnectStart
    std::map<std::uint64_t, std::uint64_t> conn_of_req;     // ClientSendStart
    // ClientConnected: local port → (time, client conn). A port is reused by later
    // connections, so a server accept is joined to the client connection on its
    // port that connected closest in time.
    std::map<std::int64_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> conns_on_port;
    std::map<std::uint64_t, std::int64_t> port_of_conn;

    explicit ClientSide(const Recording& rec) {
        for (const Event& e : rec.events()) {
            if (e.kind == EventKind::ClientConnectStart) role_of_conn[e.conn] = static_cast<ClientRole>(e.a1);
            if (e.kind == EventKind::ClientSendStart) conn_of_req[e.req] = e.conn;
            if (e.kind == EventKind::ClientConnected) {
                conns_on_port[e.a0].emplace_back(e.t_ns, e.conn);
                port_of_conn[e.conn] = e.a0;
            }
        }
    }
    // The client connection a server's Accepted event took (0 if none).
    std::uint64_t accepted_conn(const Event& accepted) const {
        auto it = conns_on_port.find(accepted.a0);
        if (it == conns_on_port.end()) return 0;
        std::uint64_t best = 0;
        std::uint64_t best_gap = ~std::uint64_t{0};
        for (auto [t, conn] : it->second) {
            std::uint64_t gap = t > accepted.t_ns ? t - accepted.t_ns : accepted.t_ns - t;
            if (gap < best_gap) {
                best_gap = gap;
                best = conn;
            }
        }
        return best;
    }
    ClientRole role_of_req(std::uint64_t req) const {
        auto it = conn_of_req.find(req);
        if (it == conn_of_req.end()) return ClientRole::Good;
        return role_of_conn.at(it->second);
    }
    bool good_req(std::uint64_t req) const { return conn_of_req.count(req) && role_of_req(req) == ClientRole::Good; }
    bool is(std::uint64_t conn, ClientRole r) const {
        auto it = role_of_conn.find(conn);
        return it != role_of_conn.end() && it->second == r;
    }
};

// Server Parsed+RequestTagged of the good users' requests.
std::vector<Event> good_tags(const Recording& rec, const ClientSide& cs) {
    std::vector<Event> out;
    for (const Event& e : events_of(rec, EventKind::RequestTagged)) {
        if (cs.good_req(static_cast<std::uint64_t>(e.a0))) out.push_back(e);
    }
    return out;
}

std::size_t client_events(const Recording& rec, EventKind kind, const ClientSide& cs, ClientRole role) {
    std::size_t n = 0;
    for (const Event& e : events_of(rec, kind)) n += cs.is(e.conn, role) ? 1u : 0u;
    return n;
}

// Runs the client against `ts` to its end, draining the trace meanwhile; then stops the server.
nlohmann::json run_against(TracedServer& ts, std::vector<std::string> args, Seconds timeout = 30s) {
    args.push_back("--json");
    args.push_back("--quiet");
    LoadProcess load(std::move(args), ts.region_fd());
    std::optional<int> status;
    ts.wait_until([&](const Recording&) { return (status = load.wait_exit(0s)).has_value(); }, timeout);
    INFO("client stderr: " << load.err());
    CHECK(status == std::optional<int>(0));
    ts.stop();
    return load.json();
}

std::size_t workers_booted(const Recording& r) { return count_of(r, EventKind::WorkerBooted); }

}  // namespace

TEST_CASE("every client request is joined to the server's request by X-Request-Id and the local port",
          "[process][load]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2", "-k", "gevent"});
        REQUIRE(ts.wait_until([](const Recording& r) { return workers_booted(r) == 2; }, 10s));
        nlohmann::json result = run_against(ts, {url(ts.server().port(), "/io?ms=2"), "-c", "4", "-n", "200"});
        REQUIRE(result.is_object());
        CHECK(result["requests"] == 200);
        CHECK(result["errors"]["total"] == 0);
        CHECK(result["connects"] == 4);  // keep-alive: one connection per virtual user

        const Recording& rec = ts.recording();
        CHECK(rec.dropped() == 0);
        ClientSide cs(rec);
        CHECK(count_of(rec, EventKind::ClientStart) == 1);
        CHECK(count_of(rec, EventKind::ClientDone) == 200);
        // Each tagged server request names a request the client sent, on the same TCP connection.
        std::map<std::uint64_t, std::int64_t> server_conn_port;
        for (const Event& e : events_of(rec, EventKind::Accepted)) server_conn_port[e.conn] = e.a0;
        std::set<std::uint64_t> tagged;
        for (const Event& e : events_of(rec, EventKind::RequestTagged)) {
            auto creq = static_cast<std::uint64_t>(e.a0);
            REQUIRE(cs.conn_of_req.count(creq) == 1);
            CHECK(cs.port_of_conn.at(cs.conn_of_req.at(creq)) == server_conn_port.at(e.conn));
            tagged.insert(creq);
        }
        for (const Event& e : events_of(rec, EventKind::ClientDone)) CHECK(tagged.count(e.req) == 1);

        World w = TraceModel::fold(rec.events());
        CHECK(w.client.done == 200);
        CHECK(w.client.error_count() == 0);
        CHECK(w.client.by_status_class[2] == 200);
        CHECK(w.clients.empty());  // every client connection closed at the end
        REQUIRE(w.client.pid != 0);
        if (w.processes.count(w.client.pid)) CHECK(w.processes.at(w.client.pid).role == minicorn::trace::ProcessRole::Client);
    }
}

TEST_CASE("two slowloris clients pin both sync workers: nothing else is served until WORKER TIMEOUT",
          "[process][load]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2", "-k", "sync", "-t", "3"});
        REQUIRE(ts.wait_until([](const Recording& r) { return workers_booted(r) == 2; }, 10s));
        nlohmann::json result =
            run_against(ts, {url(ts.server().port()), "--slowloris", "2", "-c", "1", "-d", "6", "--timeout", "20"});
        REQUIRE(result.is_object());
        const Recording& rec = ts.recording();
        ClientSide cs(rec);

        std::vector<Event> timeouts = events_of(rec, EventKind::WorkerTimeout);
        REQUIRE(!timeouts.empty());
        const std::uint64_t first_timeout = timeouts.front().t_ns;

        // The two slowloris connections were accepted first, one by each worker.
        std::set<pid_t> pinned;
        for (const Event& e : events_of(rec, EventKind::Accepted)) {
            if (e.t_ns >= first_timeout) break;
            std::uint64_t conn = cs.accepted_conn(e);
            REQUIRE(conn != 0);
            if (cs.is(conn, ClientRole::Slowloris)) pinned.insert(e.pid);
        }
        CHECK(pinned.size() == 2);

        // Just before the timeout, the World shows both workers reading a slowloris connection.
        TraceModel model(rec);
        model.update();
        World before = model.world_at(first_timeout - 1);
        int reading_slowloris = 0;
        for (const auto* p : before.workers()) {
            auto conn = before.connections.find(p->current_conn);
            if (conn == before.connections.end()) continue;
            const auto* client = before.client_side(conn->second);
            if (client && client->role == ClientRole::Slowloris && client->stage == minicorn::trace::ClientStage::Sending) {
                ++reading_slowloris;
            }
        }
        CHECK(reading_slowloris == 2);

        // The good user's requests: none parsed before the first WORKER TIMEOUT, some after.
        std::vector<Event> tags = good_tags(rec, cs);
        REQUIRE(!tags.empty());
        CHECK(tags.front().t_ns > first_timeout);
        CHECK(client_events(rec, EventKind::ClientDone, cs, ClientRole::Good) >= 1);
        CHECK(result["requests"] >= 1);
        CHECK(result["bad_actors"]["slowloris"]["cut"] >= 2);  // the killed workers' connections close
    }
}

TEST_CASE("slowloris clients do not pin a gevent worker: the hub serves others, and drops them after 2 s",
          "[process][load]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2", "-k", "gevent", "-t", "3"});
        REQUIRE(ts.wait_until([](const Recording& r) { return workers_booted(r) == 2; }, 10s));
        nlohmann::json result = run_against(ts, {url(ts.server().port(), "/io?ms=10"), "--slowloris", "2", "-c", "2",
                                                 "-d", "3", "--timeout", "20"});
        REQUIRE(result.is_object());
        const Recording& rec = ts.recording();
        ClientSide cs(rec);

        CHECK(count_of(rec, EventKind::WorkerTimeout) == 0);
        // Good requests flow from the start: within the first second after the good users began.
        std::vector<Event> sends = events_of(rec, EventKind::ClientSendStart);
        auto first_good = std::find_if(sends.begin(), sends.end(), [&](const Event& e) { return cs.is(e.conn, ClientRole::Good); });
        REQUIRE(first_good != sends.end());
        std::size_t early = 0;
        for (const Event& e : events_of(rec, EventKind::ClientDone)) {
            if (cs.is(e.conn, ClientRole::Good) && e.t_ns < first_good->t_ns + 1'000'000'000) ++early;
        }
        CHECK(early >= 20);  // 2 users × ~10 ms requests: ~150 in a second
        CHECK(result["errors"]["total"] == 0);
        // gevent's keep-alive timeout covers the first request head: each slowloris is cut at ~2 s.
        CHECK(result["bad_actors"]["slowloris"]["cut"] >= 2);
        CHECK(client_events(rec, EventKind::ClientError, cs, ClientRole::Slowloris) >= 2);
    }
}

TEST_CASE("one silent connection starves gthread with one thread: the next client waits behind it",
          "[process][load]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "1"});
        REQUIRE(ts.wait_until([](const Recording& r) { return workers_booted(r) == 1; }, 10s));
        nlohmann::json result =
            run_against(ts, {url(ts.server().port()), "--silent", "1", "-c", "1", "-d", "3", "--timeout", "20"});
        REQUIRE(result.is_object());
        CHECK(result["requests"] == 0);
        CHECK(result["bad_actors"]["silent"]["connections"] == 1);
        const Recording& rec = ts.recording();
        ClientSide cs(rec);

        // The good user's connection was accepted — and queued for the one thread, which reads the silent one.
        std::uint64_t good_server_conn = 0;
        for (const Event& e : events_of(rec, EventKind::Accepted)) {
            if (cs.is(cs.accepted_conn(e), ClientRole::Good)) good_server_conn = e.conn;
        }
        REQUIRE(good_server_conn != 0);
        bool queued = false;
        for (const Event& e : events_of(rec, EventKind::PoolSubmit)) queued |= e.conn == good_server_conn;
        CHECK(queued);

        // Nothing of the good user's is parsed while the silent connection is open (it closes when the run ends).
        std::uint64_t silent_closed = 0;
        for (const Event& e : events_of(rec, EventKind::ClientClose)) {
            if (cs.is(e.conn, ClientRole::Silent)) silent_closed = e.t_ns;
        }
        REQUIRE(silent_closed != 0);
        for (const Event& e : good_tags(rec, cs)) CHECK(e.t_ns > silent_closed);
    }
}

TEST_CASE("every worker model tags the client's requests with the client's id", "[process][load]") {
    for (const char* model : {"sync", "gthread", "eventlet", "gevent", "tornado", "asyncio"}) {
        DYNAMIC_SECTION("-k " << model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model});
                REQUIRE(ts.wait_until([](const Recording& r) { return workers_booted(r) == 1; }, 10s));
                nlohmann::json result = run_against(ts, {url(ts.server().port()), "-c", "2", "-n", "20"});
                REQUIRE(result.is_object());
                CHECK(result["requests"] == 20);
                const Recording& rec = ts.recording();
                ClientSide cs(rec);
                std::set<std::uint64_t> tagged;
                for (const Event& e : events_of(rec, EventKind::RequestTagged)) tagged.insert(static_cast<std::uint64_t>(e.a0));
                for (const Event& e : events_of(rec, EventKind::ClientDone)) CHECK(tagged.count(e.req) == 1);
                CHECK(tagged.size() == 20);
            }
        }
    }
}
