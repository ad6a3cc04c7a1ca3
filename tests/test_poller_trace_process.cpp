// [process][trace] The poller traces itself in a running worker: a tornado
// connection whose response fills the socket waits to WRITE, and the poll
// list says so (PollRegister with the new events, from the IOLoop's
// update_handler, not from the model).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "engine/loop/poller.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;

namespace {

// A client with a small receive buffer: it POSTs `body` to /echo, reads
// nothing for `pause_us`, then reads the whole echo. Returns the bytes read.
std::size_t slow_reader_echo(int port, std::size_t body, useconds_t pause_us) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    std::string req = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(body) + "\r\n\r\n" + std::string(body, 'x');
    for (std::size_t sent = 0; sent < req.size();) {
        ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        REQUIRE(n > 0);
        sent += static_cast<std::size_t>(n);
    }
    ::usleep(pause_us);
    std::size_t got = 0;
    char buf[65536];
    while (true) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return got;
}

}  // namespace

TEST_CASE("tornado: a connection whose response fills the socket is polled for writing, then reading again",
          "[process][tornado][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "tornado"});
        REQUIRE(ts.server().wait_for_workers(1, 10s));
        constexpr std::size_t kBody = 4 << 20;
        CHECK(slow_reader_echo(ts.server().port(), kBody, 500'000) > kBody);
        ts.stop();
        auto accepted = events_of(ts.recording(), EventKind::Accepted);
        REQUIRE(accepted.size() == 1);
        const std::uint64_t conn = accepted.front().conn;
        std::vector<std::int64_t> masks;  // the connection's events, as the poll list saw them change
        for (const Event& e : events_of(ts.recording(), EventKind::PollRegister)) {
            if (e.conn == conn && (masks.empty() || masks.back() != e.a1)) masks.push_back(e.a1);
        }
        REQUIRE(masks.size() >= 2);
        CHECK(masks[0] == minicorn::loop::kReadable);
        CHECK(masks[1] == minicorn::loop::kWritable);
        CHECK(events_of(ts.recording(), EventKind::PollUnregister).size() >= 1);
    }
}
