// [process][trace] One clock: every keep-alive timeout is engine time, which
// stands still while the trace's gate is closed. With the gate closed (not
// in gated mode: nothing waits for tokens, only time stops) an idle
// keep-alive connection outlives its timeout and is still served; once the
// gate opens, the timeout runs again and closes it.
//
// Not for sync (never keeps a connection alive) or tornado (ignores
// --keep-alive; its one-hour idle timer is an IOLoop timer, engine time).
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;

namespace {

struct Case {
    const char* model;
    int keepalive_s;  // asyncio: uvicorn's fixed 5 s
};
const Case kCases[] = {{"gthread", 1}, {"gevent", 1}, {"eventlet", 1}, {"asyncio", 5}};

}  // namespace

TEST_CASE("with the gate closed a keep-alive connection outlives its timeout; it times out once the gate opens",
          "[process][trace][gate]") {
    for (const Case& c : kCases) {
        DYNAMIC_SECTION(c.model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", c.model, "--keep-alive", std::to_string(c.keepalive_s)});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                const int fd = connect_loopback(ts.server().port());
                REQUIRE(fd >= 0);
                CHECK(get_on(fd, "/").find(" 200 ") != std::string::npos);

                ts.gate().close();
                ::usleep(static_cast<useconds_t>((c.keepalive_s + 1.5) * 1e6));
                CHECK(still_open(fd));
                CHECK(get_on(fd, "/").find(" 200 ") != std::string::npos);  // and still served

                ts.gate().open();
                const double closed_after = seconds_until_eof(fd, Seconds(c.keepalive_s + 3));
                CHECK(closed_after > 0);
                ::close(fd);
                ts.stop();
            }
        }
    }
}
