// [process] tests of the tornado worker (gunicorn 20.1 + tornado 6.2, FIDELITY
// §8), on real sockets and real processes: the app runs on the IOLoop thread,
// so one request at a time per process, and the heartbeat stops with it.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>

#include "tests/http/raw_client.h"
#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;

namespace {

// Four concurrent 2 s sleeps on one worker: served one after the other.
void check_serialised(std::string_view poller) {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado", "--poller", std::string(poller)});
        REQUIRE(server->wait_for_workers(1, 5s));
        int port = server->port();
        std::vector<std::future<HttpReply>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=2000"); }));
        }
        std::vector<double> took;
        for (auto& c : clients) {
            HttpReply r = c.get();
            CHECK(r.status == 200);
            took.push_back(r.seconds);
        }
        std::sort(took.begin(), took.end());
        for (std::size_t i = 0; i < took.size(); ++i) {
            double expected = 2.0 * static_cast<double>(i + 1);
            INFO("poller " << poller << ", response " << i << " after " << took[i] << " s");
            CHECK(took[i] >= expected - 0.1);
            CHECK(took[i] <= expected + 0.8);
        }
    }
}

}  // namespace

TEST_CASE("tornado: four concurrent 2 s requests complete at 2, 4, 6, 8 s (the app runs on the IOLoop)",
          "[process][tornado]") {
    check_serialised("epoll");
}

TEST_CASE("tornado --poller poll: the same four requests, the same 2, 4, 6, 8 s", "[process][tornado]") {
    check_serialised("poll");
}

TEST_CASE("tornado --poller select: the same four requests, the same 2, 4, 6, 8 s", "[process][tornado]") {
    check_serialised("select");
}

TEST_CASE("tornado: a 6 s request with -t 3 blocks the heartbeat and gets the worker killed (WORKER TIMEOUT)",
          "[process][tornado]") {
    // Over each poller backend: what it shows is the loop's, not epoll's.
    const std::string poller = GENERATE(as<std::string>{}, "epoll", "poll", "select");
    INFO("--poller " << poller);
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado", "-t", "3", "--poller", poller});
        REQUIRE(server->wait_for_workers(1, 5s));
        HttpReply r = get_close(server->port(), "/io?ms=6000");
        CHECK_FALSE(r.got_response);  // the worker died mid-request: closed, no bytes
        CHECK(r.seconds < 5.5);
        CHECK(server->wait_for_log("WORKER TIMEOUT", 2s));
        CHECK(server->wait_for_workers(1, 5s));  // replaced
    }
}

TEST_CASE("tornado: responses carry Server: TornadoServer/6.2 and no Date header", "[process][tornado]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado"});
        HttpReply r = get_close(server->port(), "/");
        CHECK(r.status == 200);
        CHECK(r.head.find("Server: TornadoServer/6.2") != std::string::npos);
        CHECK(r.head.find("Date:") == std::string::npos);
        CHECK(r.head.find("Content-Length: ") != std::string::npos);
    }
}

TEST_CASE("tornado ignores --keep-alive 2: a connection idle 3 s after its response is still open and served",
          "[process][tornado]") {
    // Over each poller backend: what it shows is the loop's, not epoll's.
    const std::string poller = GENERATE(as<std::string>{}, "epoll", "poll", "select");
    INFO("--poller " << poller);
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado", "--keep-alive", "2", "--poller", poller});
        int fd = connect_loopback(server->port());
        REQUIRE(fd >= 0);
        CHECK(get_on(fd, "/").find("HTTP/1.1 200 OK") == 0);
        ::sleep(3);
        CHECK(still_open(fd));
        CHECK(get_on(fd, "/").find("HTTP/1.1 200 OK") == 0);
        ::close(fd);
    }
}

TEST_CASE("tornado --max-requests 2 counts closed connections: 4 requests on one connection, one worker",
          "[process][tornado]") {
    // Over each poller backend: what it shows is the loop's, not epoll's.
    const std::string poller = GENERATE(as<std::string>{}, "epoll", "poll", "select");
    INFO("--poller " << poller);
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado", "--max-requests", "2", "--poller", poller});
        REQUIRE(server->wait_for_workers(1, 5s));
        std::vector<pid_t> before = server->worker_pids();
        int fd = connect_loopback(server->port());
        REQUIRE(fd >= 0);
        for (int i = 0; i < 4; ++i) CHECK(get_on(fd, "/").find("HTTP/1.1 200 OK") == 0);
        CHECK(still_open(fd));
        CHECK(server->worker_pids() == before);
        CHECK(server->count_in_log("Autorestarting") == 0);
        ::close(fd);  // the first closed connection: nr = 1
        CHECK(get_close(server->port(), "/").status == 200);  // the second: nr = 2
        CHECK(server->wait_for_log("Autorestarting worker after current request.", 3s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 5s, 2));
    }
}

TEST_CASE("tornado: a head over 64 KiB closes the connection without a word; a 1 MiB request line never reaches the app",
          "[process][tornado]") {
    namespace raw = minicorn::http::testing;
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado"});
        REQUIRE(server->wait_for_workers(1, 5s));
        const int port = server->port();
        const pid_t worker = server->worker_pids().at(0);
        REQUIRE(get_close(port, "/").status == 200);
        const long before = raw::peak_rss_kib(worker);

        int fd = connect_loopback(port);
        raw::send_bytes(fd, "GET /" + std::string(1024 * 1024, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
        std::string reply;
        CHECK(raw::read_to_close(fd, reply, 10s));
        CHECK(reply.empty());  // IOStream's "Unsatisfiable read, closing connection"
        ::close(fd);

        // A header block that never ends: closed once it passes 64 KiB, not buffered.
        fd = connect_loopback(port);
        REQUIRE(raw::send_bytes(fd, "GET / HTTP/1.1\r\nHost: t\r\nX-Endless: "));
        auto writer = std::async(std::launch::async, [fd] { return raw::send_filler(fd, 32 * 1024 * 1024); });
        reply.clear();
        CHECK(raw::read_to_close(fd, reply, 20s));
        CHECK(reply.empty());
        ::shutdown(fd, SHUT_RDWR);
        CHECK(writer.get() < 32u * 1024 * 1024);
        ::close(fd);

        const long after = raw::peak_rss_kib(worker);
        INFO("worker peak RSS " << before << " KiB before, " << after << " KiB after");
        CHECK(after - before < 8 * 1024);
        CHECK(get_close(port, "/").status == 200);
    }
}

TEST_CASE("tornado: a Content-Length over max_body_size (100 MiB) gets tornado's bare 400", "[process][tornado]") {
    namespace raw = minicorn::http::testing;
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "tornado"});
        const int fd = connect_loopback(server->port());
        REQUIRE(raw::send_bytes(fd, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 209715200\r\n\r\n"));
        std::string reply;
        CHECK(raw::read_to_close(fd, reply, 10s));
        CHECK(reply == "HTTP/1.1 400 Bad Request\r\n\r\n");
        ::close(fd);
    }
}
