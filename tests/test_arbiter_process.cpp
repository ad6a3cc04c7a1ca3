// [process] tests of the arbiter (the master) on real processes and real
// loopback sockets: what an operator of gunicorn 20.1 would see — signals,
// respawns, halts, the pidfile. The sync worker's own tests are in
// test_sync_process.cpp. Every scenario ends by checking that no process and
// no descriptor leaked.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <future>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;

namespace {

std::vector<pid_t> sorted(std::vector<pid_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0; }

// The /db backend's pid, from the master's debug line "/db backend on 127.0.0.1:PORT (pid N)".
pid_t db_backend_pid(const ServerProcess& server) {
    if (!server.wait_for_log("/db backend on 127.0.0.1:", 5s)) return 0;
    const std::string log = server.log();
    auto at = log.find("(pid ", log.find("/db backend on 127.0.0.1:"));
    return at == std::string::npos ? 0 : static_cast<pid_t>(std::stol(log.substr(at + 5)));
}

// Waits up to `timeout` for `pid` to have exited.
bool gone_within(pid_t pid, Seconds timeout) {
    for (int i = 0; i < timeout.count() * 50 && !process_gone(pid); ++i) ::usleep(20'000);
    return process_gone(pid);
}

}  // namespace

TEST_CASE("TTIN adds a worker and TTOU retires the oldest, each within 2 s", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        std::vector<pid_t> before = sorted(server->worker_pids());

        server->signal(SIGTTIN);
        CHECK(server->wait_for_workers(3, 2s));
        CHECK(server->wait_for_log("[INFO] Handling signal: ttin", 2s));
        std::vector<pid_t> three = sorted(server->worker_pids());

        server->signal(SIGTTOU);
        CHECK(server->wait_for_workers(2, 2s));
        CHECK(server->wait_for_log("[INFO] Handling signal: ttou", 2s));
        // The oldest worker (the first booted) is the one retired.
        std::vector<pid_t> after = server->worker_pids();
        pid_t oldest = before.front();
        for (pid_t p : before) {
            if (server->log().find("Booting worker with pid: " + std::to_string(p)) <
                server->log().find("Booting worker with pid: " + std::to_string(oldest)))
                oldest = p;
        }
        CHECK(std::find(after.begin(), after.end(), oldest) == after.end());
        CHECK(three.size() == 3);
    }
}

TEST_CASE("a worker killed with SIGKILL is replaced within 2 s", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        pid_t victim = server->worker_pids().front();
        ::kill(victim, SIGKILL);
        CHECK(server->wait_for_log("Worker with pid " + std::to_string(victim) + " was terminated due to signal 9", 2s));
        CHECK(server->wait_for_workers(2, 4s));  // the replacement has booted
        CHECK(http_get(server->port(), "/").status == 200);
    }
}

TEST_CASE("/crash kills the worker that served it and the master replaces it", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1"});
        REQUIRE(server->wait_for_workers(1, 5s));
        HttpReply r = http_get(server->port(), "/crash");
        CHECK_FALSE(r.got_response);
        CHECK(server->wait_for_log("was terminated due to signal 9", 2s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 3s, 2));
        CHECK(http_get(server->port(), "/").status == 200);
    }
}

TEST_CASE("TERM lets an in-flight request finish, then the master exits leaving nothing", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        int port = server->port();
        auto slow = std::async(std::launch::async, [port] { return http_get(port, "/io?ms=2000"); });
        ::usleep(300'000);  // the request is in the worker now
        server->signal(SIGTERM);
        HttpReply r = slow.get();
        CHECK(r.status == 200);
        CHECK(r.seconds >= 1.9);
        REQUIRE(server->wait_exit(10s) == 0);
        CHECK(server->count_in_log("[INFO] Handling signal: term") == 1);
        CHECK(server->count_in_log("[INFO] Worker exiting (pid: ") == 2);
    }
}

TEST_CASE("QUIT stops at once: an in-flight request is cut", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1"});
        REQUIRE(server->wait_for_workers(1, 5s));
        int port = server->port();
        auto slow = std::async(std::launch::async, [port] { return http_get(port, "/io?ms=5000"); });
        ::usleep(300'000);
        server->signal(SIGQUIT);
        HttpReply r = slow.get();
        CHECK_FALSE(r.got_response);
        CHECK(r.seconds < 3.0);
        REQUIRE(server->wait_exit(5s) == 0);
        CHECK(server->count_in_log("[INFO] Handling signal: quit") == 1);
    }
}

TEST_CASE("HUP boots new workers and retires the old ones", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        std::vector<pid_t> old_workers = server->worker_pids();
        server->signal(SIGHUP);
        CHECK(server->wait_for_log("[INFO] Hang up: Master", 2s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 3s, 4));
        bool replaced = false;
        for (int i = 0; i < 100 && !replaced; ++i) {
            std::vector<pid_t> now = server->worker_pids();
            replaced = now.size() == 2 && std::none_of(now.begin(), now.end(), [&](pid_t p) {
                           return std::find(old_workers.begin(), old_workers.end(), p) != old_workers.end();
                       });
            if (!replaced) ::usleep(50'000);
        }
        CHECK(replaced);
        CHECK(http_get(server->port(), "/").status == 200);
    }
}

TEST_CASE("a worker that fails to load the app halts the server instead of respawning", "[process]") {
    LeakCheck leaks;
    {
        ServerProcess server({"-b", "127.0.0.1:0", "-w", "2", "--app", "broken"});
        auto status = server.wait_exit(10s);
        REQUIRE(status.has_value());
        CHECK(*status == 4);
        CHECK(server.count_in_log("[INFO] Reason: App failed to load.") == 1);
        CHECK(server.count_in_log("Booting worker with pid: ") <= 2);
    }
}

TEST_CASE("workers exit when their master dies", "[process]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2", "-t", "2"});
        REQUIRE(server->wait_for_workers(2, 5s));
        std::vector<pid_t> workers = server->worker_pids();
        server->signal(SIGKILL);
        REQUIRE(server->wait_exit(2s).has_value());
        bool gone = false;
        for (int i = 0; i < 60 && !gone; ++i) {  // select() wakes every timeout/2 = 1 s
            reap_children();
            gone = std::none_of(workers.begin(), workers.end(), process_exists);
            if (!gone) ::usleep(50'000);
        }
        CHECK(gone);
    }
}

TEST_CASE("--pid writes the master's pid and removes the file at exit; USR1 reopens the error log", "[process]") {
    LeakCheck leaks;
    std::string dir = "/tmp/minicorn-test-" + std::to_string(::getpid());
    std::string pidfile = dir + ".pid";
    std::string errlog = dir + ".log";
    {
        // The error log goes to a file here, so the port is chosen up front.
        int port = free_loopback_port();
        auto server = std::make_unique<ServerProcess>(std::vector<std::string>{
            "-b", "127.0.0.1:" + std::to_string(port), "-w", "1", "--pid", pidfile, "--error-logfile", errlog});
        REQUIRE(server->wait_for_workers(1, 5s));
        for (int i = 0; i < 100 && ::access(pidfile.c_str(), F_OK) != 0; ++i) ::usleep(10'000);
        std::ifstream in(pidfile);
        pid_t written = 0;
        in >> written;
        CHECK(written == server->pid());

        std::string rotated = errlog + ".1";
        REQUIRE(std::rename(errlog.c_str(), rotated.c_str()) == 0);  // as logrotate does
        server->signal(SIGUSR1);
        ::usleep(300'000);
        server->signal(SIGTTIN);
        bool reopened = false;
        for (int i = 0; i < 100 && !reopened; ++i) {
            std::ifstream fresh(errlog);
            std::string all((std::istreambuf_iterator<char>(fresh)), std::istreambuf_iterator<char>());
            reopened = all.find("Handling signal: ttin") != std::string::npos;
            if (!reopened) ::usleep(20'000);
        }
        CHECK(reopened);
        server->signal(SIGTERM);
        REQUIRE(server->wait_exit(10s) == 0);
        CHECK(::access(pidfile.c_str(), F_OK) != 0);
        std::remove(rotated.c_str());
    }
    std::remove(errlog.c_str());
}

TEST_CASE("with -w 0 the master answers nothing, as gunicorn 20.1, but says why in a warning", "[process][arbiter]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "0"});
        CHECK(server->wait_for_log("[WARNING] No requests can be handled with 0 workers. Check the number of workers.",
                                   2s));
        CHECK(server->worker_pids().empty());
        server->signal(SIGTERM);
        REQUIRE(server->wait_exit(10s) == 0);
    }
}

TEST_CASE("the master's children are its workers alone; the /db backend serves and dies with the master",
          "[process][arbiter]") {
    for (int sig : {SIGTERM, SIGINT, SIGKILL}) {
        INFO("the master gets signal " << sig);
        LeakCheck leaks;
        {
            auto server = ServerProcess::start({"-w", "2", "-t", "2", "--log-level", "debug"});
            pid_t backend = db_backend_pid(*server);
            REQUIRE(backend > 0);
            REQUIRE(server->wait_for_workers(2, 5s));  // exactly two children: no backend among them
            std::vector<pid_t> children = server->worker_pids();
            CHECK(std::find(children.begin(), children.end(), backend) == children.end());
            CHECK(server->count_in_log("Booting worker with pid: ") == 2);
            CHECK(http_get(server->port(), "/db?ms=10").status == 200);

            server->signal(sig);
            REQUIRE(server->wait_exit(10s).has_value());
            CHECK(gone_within(backend, 2s));
            if (sig == SIGKILL) {  // the workers notice their master is gone within timeout/2
                for (pid_t w : children) CHECK(gone_within(w, 3s));
            }
        }
    }
}
