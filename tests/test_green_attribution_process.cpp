// [process][green][trace] Attribution from the engine on a real gevent and
// eventlet recording: every event a greenlet emits names it in `green`,
// GreenSpawn and GreenPark carry the connection, and the World (the fold)
// says which greenlet serves which connection without guessing.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <map>

#include "engine/trace/kinds.h"
#include "engine/trace/model.h"
#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Family;
using minicorn::trace::GreenState;
using minicorn::trace::Recording;

namespace {

const char* kModels[] = {"gevent", "eventlet"};

// Two kept-alive requests on one connection while a /io?ms=400 sleeps on another.
void traffic(int port) {
    auto sleeper = std::async(std::launch::async, [port] { return http_get(port, "/io?ms=400"); });
    ::usleep(100'000);
    const int fd = connect_loopback(port);
    CHECK(get_on(fd, "/").find("200") != std::string::npos);
    CHECK(get_on(fd, "/").find("200") != std::string::npos);
    ::close(fd);
    CHECK(sleeper.get().status == 200);
}

}  // namespace

TEST_CASE("green workers: every event of a greenlet names it; GreenSpawn and GreenPark carry the connection",
          "[process][green][trace]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                traffic(ts.server().port());
                ts.stop();
                const Recording& rec = ts.recording();
                // conn → the greenlet spawned to serve it, from the hub's own GreenSpawn.
                std::map<std::uint64_t, std::uint32_t> server_of;
                for (const Event& e : events_of(rec, EventKind::GreenSpawn)) {
                    if (e.conn) server_of[e.conn] = e.green;
                }
                REQUIRE(server_of.size() == 2);
                std::size_t phases = 0;
                for (const Event& e : rec.events()) {
                    const auto family = minicorn::trace::info(e.kind).family;
                    if (family != Family::Connection || e.conn == 0 || !server_of.contains(e.conn)) continue;
                    INFO(to_string(e.kind) << " of conn " << e.conn);
                    if (e.kind == EventKind::Accepted) {
                        CHECK(e.green != 0);  // the acceptor's greenlet, not the connection's
                        CHECK(e.green != server_of[e.conn]);
                        continue;
                    }
                    CHECK(e.green == server_of[e.conn]);
                    ++phases;
                }
                CHECK(phases >= 2 * 7);  // read, parsed, handle, write … for each of the three requests
                for (const Event& e : events_of(rec, EventKind::GreenPark)) {
                    for (const auto& [conn, green] : server_of) {
                        if (e.green == green) CHECK(e.conn == conn);
                    }
                }
            }
        }
    }
}

TEST_CASE("green workers: the World knows which greenlet serves a connection, from the engine's events",
          "[process][green][trace]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                traffic(ts.server().port());
                ts.stop();
                const Recording& rec = ts.recording();
                minicorn::trace::TraceModel model_(rec, 4096);
                model_.update();
                // Mid-sleep of /io?ms=400: its greenlet is parked on a timer and serves that connection.
                std::uint64_t io_conn = 0, io_start = 0;
                for (const Event& e : rec.events()) {
                    if (e.kind == EventKind::HandlerStart && io_conn == 0) {
                        io_conn = e.conn;
                        io_start = e.t_ns;
                    }
                }
                REQUIRE(io_conn != 0);
                const auto w = model_.world_at(io_start + 200'000'000);
                const auto* p = w.process(minicorn::trace::id_pid(io_conn));
                REQUIRE(p != nullptr);
                const auto it = std::find_if(p->greenlets.begin(), p->greenlets.end(),
                                             [&](const auto& kv) { return kv.second.conn == io_conn; });
                REQUIRE(it != p->greenlets.end());
                CHECK(it->second.state == GreenState::Parked);
                CHECK(it->second.fd == -1);  // a timer: the app's sleep
            }
        }
    }
}

TEST_CASE("the poll set in the World: two connections and the listener registered, the one that sent came back ready",
          "[process][trace][poll]") {
    for (const char* model : {"gthread", "tornado", "gevent", "eventlet", "asyncio"}) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                const int port = ts.server().port();
                const int a = connect_loopback(port);
                CHECK(get_on(a, "/").find("200") != std::string::npos);
                const int b = connect_loopback(port);
                CHECK(get_on(b, "/").find("200") != std::string::npos);
                ::usleep(300'000);  // both idle: parked in keep-alive
                CHECK(get_on(a, "/").find("200") != std::string::npos);
                ::close(a);
                ::close(b);
                ts.stop();
                const Recording& rec = ts.recording();
                const auto accepted = events_of(rec, EventKind::Accepted);
                REQUIRE(accepted.size() == 2);
                const std::uint64_t conn_a = accepted[0].conn, conn_b = accepted[1].conn;
                const auto handled = events_of(rec, EventKind::HandlerStart);
                REQUIRE(handled.size() == 3);
                REQUIRE(handled[2].conn == conn_a);
                minicorn::trace::TraceModel fold(rec, 4096);
                fold.update();
                const auto w = fold.world_at(handled[2].t_ns);
                const auto* p = w.process(accepted[0].pid);
                REQUIRE(p != nullptr);
                const bool green = std::string_view(model) != "gthread" && std::string_view(model) != "tornado";
                // The interest list: b waits for its next request, the listener for a connection.
                auto waits_b = std::find_if(p->poll.begin(), p->poll.end(),
                                            [&](const auto& kv) { return kv.second.conn == conn_b; });
                REQUIRE(waits_b != p->poll.end());
                CHECK(waits_b->second.events == 1);  // EPOLLIN / POLLIN
                if (green) CHECK(waits_b->second.green != 0);
                CHECK(std::any_of(p->poll.begin(), p->poll.end(), [](const auto& kv) { return kv.second.conn == 0; }));
                // The ready set of the wake that brought a's request: a alone.
                INFO("ready: " << p->poll_ready << ", listed " << p->poll_ready_fds.size());
                REQUIRE(p->poll_ready_fds.size() == 1);
                CHECK(p->poll_ready_fds[0].conn == conn_a);
                CHECK((p->poll_ready_fds[0].events & 1) != 0);
                if (green) CHECK(p->poll_ready_fds[0].green != 0);
            }
        }
    }
}
