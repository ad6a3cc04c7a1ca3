// [process] tests of the asyncio (uvicorn-style) worker: awaiting tasks share
// one loop; code that does not await blocks it.
#include <catch2/catch.hpp>
#include <future>

#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::EventKind;

TEST_CASE("asyncio: four concurrent 2 s /io requests all finish at about 2 s", "[process][asyncio]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "asyncio"});
        CHECK(ts.server().wait_for_log("[INFO] Using worker: asyncio", 2s));
        int port = ts.server().port();
        std::vector<std::future<HttpReply>> c;
        for (int i = 0; i < 4; ++i) c.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=2000"); }));
        for (auto& f : c) {
            HttpReply r = f.get();
            CHECK(r.status == 200);
            CHECK(r.seconds >= 1.9);
            CHECK(r.seconds < 3.0);
        }
        ts.stop();
        CHECK(count_of(ts.recording(), EventKind::GreenSpawn) >= 4);  // a task per connection
    }
}

TEST_CASE("asyncio: a /cpu request blocks the loop and delays the others", "[process][asyncio]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "uvicorn"});
        int port = server->port();
        auto spin = std::async(std::launch::async, [port] { return get_close(port, "/cpu?ms=2000"); });
        ::usleep(300'000);
        HttpReply quick = get_close(port, "/");
        CHECK(spin.get().status == 200);
        CHECK(quick.status == 200);
        CHECK(quick.seconds >= 1.4);
    }
}
