// [process] tests of the request body on real sockets: the app reads it on
// demand (wsgi.input), so a body it ignores never sits in a worker's memory;
// what it leaves is drained before keep-alive; and "Expect: 100-continue" is
// answered, by every model, the way its server does.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "tests/http/raw_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;
using namespace minicorn::http::testing;

namespace {

constexpr std::size_t kBigBody = 64 * 1024 * 1024;

// A 64 MiB body sent to / (which never reads it): the answer comes, and the
// worker's peak memory grows by less than 8 MiB.
void check_unread_body_stays_on_the_socket(const std::string& model) {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", model});
        REQUIRE(server->wait_for_workers(1, 5s));
        const int port = server->port();
        const pid_t worker = server->worker_pids().at(0);
        REQUIRE(get_close(port, "/").status == 200);  // first-request allocations in the baseline
        const long before = peak_rss_kib(worker);

        const int fd = connect_loopback(port);
        REQUIRE(send_bytes(fd, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kBigBody) +
                                   "\r\n\r\n"));
        auto writer = std::async(std::launch::async, [fd] { return send_filler(fd, kBigBody); });
        std::string reply;
        CHECK(read_until(fd, reply, "Hello, World!", 30s));
        CHECK(reply.starts_with("HTTP/1.1 200 OK"));
        // The worker closes (sync: always; the others once 1 MiB of drain is not enough).
        CHECK(read_to_close(fd, reply, 30s));
        ::shutdown(fd, SHUT_RDWR);
        writer.get();
        ::close(fd);

        const long after = peak_rss_kib(worker);
        INFO(model << ": worker peak RSS " << before << " KiB before, " << after << " KiB after");
        CHECK(after - before < 8 * 1024);
        CHECK(get_close(port, "/").status == 200);  // still serving
    }
}

// "Expect: 100-continue": the interim answer comes before the client sends
// the body; then /echo answers with that body.
void check_continue(const std::string& model, std::string_view interim) {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", model});
        REQUIRE(server->wait_for_workers(1, 5s));
        const int fd = connect_loopback(server->port());
        REQUIRE(send_bytes(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                               "Content-Length: 5\r\nConnection: close\r\n\r\n"));
        std::string got;
        INFO(model << " sent: " << got);
        CHECK(read_until(fd, got, "\r\n\r\n", 3s));
        CHECK(got == interim);
        REQUIRE(send_bytes(fd, "hello"));
        std::string rest;
        CHECK(read_to_close(fd, rest, 10s));
        CHECK(rest.starts_with("HTTP/1.1 200 OK"));
        CHECK(rest.ends_with("\r\n\r\nhello"));
        ::close(fd);
    }
}

}  // namespace

TEST_CASE("a 64 MiB body the app never reads does not grow the worker", "[process][http]") {
    for (const std::string model : {"sync", "gthread", "gevent"}) {
        SECTION(model) { check_unread_body_stays_on_the_socket(model); }
    }
}

TEST_CASE("/echo sends back bodies read through wsgi.input: 3 MiB by Content-Length, and chunked",
          "[process][http]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1"});
        const int port = server->port();
        const std::string big(3 * 1024 * 1024, 'b');
        HttpReply r = send_raw(port, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                                         std::to_string(big.size()) + "\r\n\r\n" + big);
        CHECK(r.status == 200);
        CHECK(r.body == big);
        r = send_raw(port, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        CHECK(r.status == 200);
        CHECK(r.body == "hello world");
    }
}

TEST_CASE("a body the app leaves unread is drained, and the keep-alive connection serves the next request",
          "[process][http]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gthread", "--keep-alive", "5"});
        const int fd = connect_loopback(server->port());
        const std::string body(200 * 1024, 'u');
        REQUIRE(send_bytes(fd, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
                                   "\r\n\r\n" + body));
        std::string first = read_response(fd, 5s);
        CHECK(first.ends_with("Hello, World!"));
        REQUIRE(send_bytes(fd, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "4\r\nunre\r\n3\r\nad!\r\n0\r\n\r\n"));
        std::string second = read_response(fd, 5s);
        CHECK(second.ends_with("Hello, World!"));
        REQUIRE(send_bytes(fd, "GET /headers HTTP/1.1\r\nHost: t\r\nX-Third: yes\r\n\r\n"));
        std::string third = read_response(fd, 5s);
        CHECK(third.find("X-THIRD: yes") != std::string::npos);
        ::close(fd);
    }
}

TEST_CASE("Expect: 100-continue is answered before the body, by every model", "[process][http]") {
    // gunicorn 20.1 (wsgi.create) sends it before the app runs; uvicorn when the app first reads.
    for (const std::string model : {"sync", "gthread", "gevent", "eventlet", "asyncio"}) {
        SECTION(model) { check_continue(model, "HTTP/1.1 100 Continue\r\n\r\n"); }
    }
    SECTION("tornado") { check_continue("tornado", "HTTP/1.1 100 (Continue)\r\n\r\n"); }
}
