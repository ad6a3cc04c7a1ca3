// [process][trace][gate] A paused engine is frozen all the way down: the
// application's own waits — a sleep (/io), an unpatched blocking call (/block),
// a backend query (/db), CPU work (/cpu) — run in engine time, which stands
// still while the gate is closed. A request of 600 ms, paused 200 ms in for
// 1.5 s of wall time, has not answered when the gate opens, and answers
// about 400 ms after.
//
// (Before, the app's waits were wall time: a lesson paused "while A runs"
// showed A's handler returned a moment later.)
#include <catch2/catch.hpp>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;

namespace {

struct Case {
    const char* model;
    const char* path;
};
const Case kCases[] = {{"sync", "/io?ms=600"},     {"gthread", "/io?ms=600"},  {"sync", "/db?ms=600"},
                       {"gevent", "/db?ms=600"},   {"gevent", "/block?ms=600"}, {"sync", "/cpu?ms=600"},
                       {"eventlet", "/cpu?ms=600"}};

// Whether anything (an answer, or the close) has arrived on `fd`.
bool answered(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

void send_get(int fd, const std::string& path) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
}

}  // namespace

TEST_CASE("with the gate closed the app's sleeps, blocking calls, queries and CPU work stand still",
          "[process][trace][gate]") {
    using Clock = std::chrono::steady_clock;
    for (const Case& c : kCases) {
        DYNAMIC_SECTION(c.model << " " << c.path) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", c.model});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                const int fd = connect_loopback(ts.server().port());
                REQUIRE(fd >= 0);
                send_get(fd, c.path);
                ::usleep(200'000);

                ts.gate().close();
                ::usleep(1'500'000);
                CHECK_FALSE(answered(fd));  // 1.7 s after a 600 ms request: still running, frozen

                const auto opened = Clock::now();
                ts.gate().open();
                const std::string response = read_response(fd, 8s);
                const double after_open = std::chrono::duration<double>(Clock::now() - opened).count();
                CHECK(response.find(" 200 ") != std::string::npos);
                INFO("answered " << after_open << " s after the gate opened");
                CHECK(after_open > 0.2);  // the rest of its 600 ms, not nothing
                CHECK(after_open < 6.0);  // /cpu's 400 ms of CPU take longer on a loaded machine
                ::close(fd);
                ts.stop();
            }
        }
    }
}
