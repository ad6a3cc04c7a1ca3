// [process] tests of the sync worker (gunicorn's workers/sync.py) on real
// processes and real loopback sockets: one connection at a time, Connection:
// close, the heartbeat that WORKER TIMEOUT reads, max_requests, and the
// worker's answers on the wire (the 400 page, the access log).
// Every scenario ends by checking that no process and no descriptor leaked.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;

TEST_CASE("serve -w 2 runs one master and two workers that answer HTTP with Connection: close", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        CHECK(server->count_in_log("[INFO] Booting worker with pid: ") == 2);
        CHECK(server->count_in_log("[INFO] Using worker: sync") == 1);

        HttpReply r = http_get(server->port(), "/");
        CHECK(r.status == 200);
        CHECK(r.body == "Hello, World!");
        CHECK(r.head.find("Connection: close") != std::string::npos);

        server->signal(SIGTERM);
        REQUIRE(server->wait_exit(10s) == 0);
        CHECK(server->count_in_log("[INFO] Shutting down: Master") == 1);
    }
}

TEST_CASE("with -t 3, /hang gives WORKER TIMEOUT within 3–5 s and the worker is replaced", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-t", "3"});
        REQUIRE(server->wait_for_workers(1, 5s));
        HttpReply r = http_get(server->port(), "/hang", 10s);
        CHECK_FALSE(r.got_response);  // 20.1: the connection closes with no bytes at all
        CHECK(r.seconds >= 2.9);
        CHECK(r.seconds <= 5.0);
        CHECK(server->wait_for_log("[CRITICAL] WORKER TIMEOUT (pid:", 1s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 3s, 2));
        CHECK(http_get(server->port(), "/").status == 200);
    }
}

TEST_CASE("a connection that sends nothing pins a sync worker until WORKER TIMEOUT", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-t", "3"});
        REQUIRE(server->wait_for_workers(1, 5s));
        int port = server->port();
        int silent = connect_loopback(port);
        REQUIRE(silent >= 0);
        ::usleep(200'000);  // the worker has accepted it and blocks in recv()
        HttpReply r = http_get(port, "/", 15s);  // queued behind the silent client
        CHECK(r.status == 200);
        CHECK(r.seconds >= 2.5);  // served only by the replacement worker
        CHECK(server->count_in_log("WORKER TIMEOUT") == 1);
        char byte;
        CHECK(::recv(silent, &byte, 1, 0) == 0);  // closed, no bytes
        ::close(silent);
    }
}

TEST_CASE("--max-requests restarts a worker after that many requests", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "--max-requests", "2"});
        REQUIRE(server->wait_for_workers(1, 5s));
        pid_t first = server->worker_pids().front();
        CHECK(http_get(server->port(), "/").status == 200);
        CHECK(http_get(server->port(), "/").status == 200);
        CHECK(server->wait_for_log("[INFO] Autorestarting worker after current request.", 2s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 3s, 2));
        CHECK(http_get(server->port(), "/").status == 200);
        std::vector<pid_t> now = server->worker_pids();
        REQUIRE(now.size() == 1);
        CHECK(now.front() != first);
    }
}

TEST_CASE("a malformed request gets gunicorn 20.1's 400 page over a real socket", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1"});
        HttpReply r = send_raw(server->port(), "GET / HTTP/1.x\r\n\r\n");
        CHECK(r.status == 400);
        CHECK(r.head.find("Content-Type: text/html") != std::string::npos);
        CHECK(r.body.find("Invalid HTTP Version") != std::string::npos);
    }
}

TEST_CASE("--access-logfile - writes gunicorn's combined format to stdout", "[process][sync]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "--access-logfile", "-"});
        HttpReply r = send_raw(server->port(),
                               "GET /?a=1 HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: demo/1.0\r\n\r\n");
        REQUIRE(r.status == 200);
        for (int i = 0; i < 100 && server->stdout_text().empty(); ++i) ::usleep(10'000);
        std::string line = server->stdout_text();
        CHECK(line.starts_with("127.0.0.1 - - ["));
        CHECK(line.find("] \"GET /?a=1 HTTP/1.1\" 200 13 \"http://r/\" \"demo/1.0\"\n") != std::string::npos);
    }
}

