// [process] tests of what the app's import does and where it runs: --preload
// (in the master, before fork) or not (in each worker); /version and HUP, the
// app's memory shared copy-on-write, a /db connection opened at import (a
// blocking socket under gevent when the master opened it), and the simulated
// slow disk under the heartbeat file (--heartbeat-delay-ms). Every scenario
// ends by checking that no process and no descriptor leaked.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;

namespace {

// Waits until the master has exactly `n` workers, none of them in `old`.
bool replaced_all(const ServerProcess& server, const std::vector<pid_t>& old, std::size_t n) {
    for (int i = 0; i < 200; ++i) {
        std::vector<pid_t> now = server.worker_pids();
        bool fresh = now.size() == n && std::none_of(now.begin(), now.end(), [&](pid_t p) {
                         return std::find(old.begin(), old.end(), p) != old.end();
                     });
        if (fresh && std::all_of(now.begin(), now.end(), [&](pid_t p) { return server.has_booted(p); })) {
            ::usleep(200'000);  // booted is logged before the app is imported: give it the import
            return true;
        }
        ::usleep(50'000);
    }
    return false;
}

// "version N" from a /version answer, -1 if none.
long version_of(const HttpReply& reply) {
    auto at = reply.body.find("version ");
    return at == std::string::npos ? -1 : std::strtol(reply.body.c_str() + at + 8, nullptr, 10);
}

// The version every worker answers after /deploy?version=2 and HUP.
long version_after_deploy_and_hup(std::vector<std::string> args) {
    auto server = ServerProcess::start(std::move(args));
    REQUIRE(server->wait_for_workers(2, 5s));
    CHECK(version_of(http_get(server->port(), "/version")) == 1);
    CHECK(http_get(server->port(), "/deploy?version=2").status == 200);
    CHECK(version_of(http_get(server->port(), "/version")) == 1);  // running code is not re-read
    std::vector<pid_t> old = server->worker_pids();
    server->signal(SIGHUP);
    REQUIRE(replaced_all(*server, old, 2));
    long first = version_of(http_get(server->port(), "/version"));
    long second = version_of(http_get(server->port(), "/version"));
    CHECK(first == second);
    return first;
}

struct Memory {
    long rss_kb = 0;
    long pss_kb = 0;
};

Memory memory_of(pid_t pid) {
    Memory m;
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string key;
    long kb = 0;
    std::string unit;
    while (in >> key) {
        if (key == "Rss:" && (in >> kb >> unit)) m.rss_kb = kb;
        if (key == "Pss:" && (in >> kb >> unit)) m.pss_kb = kb;
    }
    return m;
}

// What the master and its 3 workers use with --app-size-mb 64.
struct ServerMemory {
    std::vector<Memory> workers;
    Memory master;
    long pss_sum_mib() const {
        long kb = master.pss_kb;
        for (const Memory& w : workers) kb += w.pss_kb;
        return kb / 1024;
    }
};

ServerMemory memory_with(std::vector<std::string> args) {
    auto server = ServerProcess::start(std::move(args));
    REQUIRE(server->wait_for_workers(3, 10s));
    REQUIRE(http_get(server->port(), "/").status == 200);
    ::usleep(500'000);  // every worker done importing
    ServerMemory out;
    out.master = memory_of(server->pid());
    for (pid_t p : server->worker_pids()) out.workers.push_back(memory_of(p));
    return out;
}

}  // namespace

TEST_CASE("without --preload, a deploy then HUP: the new workers import the new version", "[process][preload]") {
    LeakCheck leaks;
    CHECK(version_after_deploy_and_hup({"-w", "2"}) == 2);
}

TEST_CASE("with --preload, a deploy then HUP: the new workers keep the master's old import", "[process][preload]") {
    LeakCheck leaks;
    CHECK(version_after_deploy_and_hup({"-w", "2", "--preload"}) == 1);
}

TEST_CASE("/version says who imported the app: the master with --preload, the worker without",
          "[process][preload]") {
    LeakCheck leaks;
    for (bool preload : {false, true}) {
        std::vector<std::string> args{"-w", "1"};
        if (preload) args.push_back("--preload");
        auto server = ServerProcess::start(args);
        REQUIRE(server->wait_for_workers(1, 5s));
        HttpReply r = http_get(server->port(), "/version");
        CHECK(r.status == 200);
        const std::string who = preload ? "imported by the master (pid " + std::to_string(server->pid()) + ")"
                                        : "imported by this worker";
        CHECK(r.body.find(who) != std::string::npos);
    }
}

TEST_CASE("the app reads its version from --app-version-file at import; /deploy writes it", "[process][preload]") {
    LeakCheck leaks;
    char path[] = "/tmp/minicorn-test-version-XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "7\n", 2) == 2);
    ::close(fd);
    {
        auto server = ServerProcess::start({"-w", "1", "--app-version-file", path});
        REQUIRE(server->wait_for_workers(1, 5s));
        CHECK(version_of(http_get(server->port(), "/version")) == 7);
        CHECK(http_get(server->port(), "/deploy?version=8").status == 200);
        std::ifstream in(path);
        std::string text;
        std::getline(in, text);
        CHECK(text == "8");
        CHECK(http_get(server->port(), "/deploy?version=x").status == 400);
    }
    ::unlink(path);
}

TEST_CASE("an app of 64 MiB (--app-size-mb): one copy shared copy-on-write with --preload, a copy per worker without",
          "[process][preload]") {
    LeakCheck leaks;
    ServerMemory apart = memory_with({"-w", "3", "--app-size-mb", "64"});
    ServerMemory shared = memory_with({"-w", "3", "--app-size-mb", "64", "--preload"});
    REQUIRE(apart.workers.size() == 3);
    REQUIRE(shared.workers.size() == 3);
    for (const Memory& w : apart.workers) {
        CHECK(w.rss_kb >= 64 * 1024);
        CHECK(w.pss_kb >= 60 * 1024);  // its own copy
    }
    long apart_least = apart.workers.front().pss_kb;
    for (const Memory& w : apart.workers) apart_least = std::min(apart_least, static_cast<long>(w.pss_kb));
    for (const Memory& w : shared.workers) {
        CHECK(w.rss_kb >= 64 * 1024);  // it still maps all of it...
        // ...shared four ways with the master and the others: about 16 MiB of the
        // app, not 64. Against its unshared twin, not a bound (a TSan build's
        // private shadow memory puts ~70 MiB in every process: 87 MiB there).
        CHECK(w.pss_kb + 40 * 1024 <= apart_least);
    }
    CHECK(shared.master.rss_kb >= 64 * 1024);
    CHECK(apart.pss_sum_mib() >= 190);
    // Loaded once instead of three times: two copies of 64 MiB saved. (A
    // difference, not a bound on the sum: an ASan build adds its own shadow
    // memory to every process, ~20 MiB each, and the sum was 143 MiB there.)
    CHECK(apart.pss_sum_mib() - shared.pss_sum_mib() >= 110);
}

TEST_CASE("preloaded: the slow import runs once in the master, so -t 3 does not kill workers that boot at once",
          "[process][preload]") {
    LeakCheck leaks;
    auto server = ServerProcess::start({"-w", "2", "-t", "3", "--app-load-ms", "4000", "--preload"});
    REQUIRE(server->wait_for_workers(2, 8s));
    CHECK(http_get(server->port(), "/").status == 200);
    ::sleep(4);
    CHECK(server->count_in_log("WORKER TIMEOUT") == 0);
    CHECK(server->count_in_log("Booting worker with pid: ") == 2);
}

TEST_CASE("preloaded: an app that fails to import stops the master before any worker starts",
          "[process][preload]") {
    LeakCheck leaks;
    ServerProcess server({"-b", "127.0.0.1:0", "-w", "2", "--app", "broken", "--preload"});
    auto status = server.wait_exit(10s);
    REQUIRE(status.has_value());
    CHECK(*status == 4);
    CHECK(server.count_in_log("Booting worker with pid: ") == 0);
    // The master's last lines may still be on their way through the pipe.
    CHECK(server.wait_for_log("Failed to find attribute 'application'", 5s));
}

TEST_CASE("a /db connection opened at import under gevent: opened by the master (--preload) it blocks the hub; by the "
          "worker, it parks",
          "[process][preload][green]") {
    LeakCheck leaks;
    for (bool preload : {false, true}) {
        std::vector<std::string> args{"-k", "gevent", "-w", "1", "--db-at-import"};
        if (preload) args.push_back("--preload");
        auto server = ServerProcess::start(args);
        REQUIRE(server->wait_for_workers(1, 5s));
        const int port = server->port();
        auto slow = std::async(std::launch::async, [port] { return get_close(port, "/db?ms=1500"); });
        ::usleep(300'000);
        HttpReply hello = get_close(port, "/");
        HttpReply db = slow.get();
        CHECK(db.status == 200);
        CHECK(hello.status == 200);
        INFO("preload " << preload << ": / took " << hello.seconds << " s while /db?ms=1500 ran");
        if (preload) {
            CHECK(hello.seconds >= 0.9);  // the hub was stuck in recv()
            CHECK(db.body.find("blocks the thread, even a hub") != std::string::npos);
        } else {
            CHECK(hello.seconds < 0.5);
            CHECK(db.body.find("parks a greenlet") != std::string::npos);
        }
        CHECK(get_close(port, "/db?ms=50").status == 200);  // the connection serves query after query
    }
}

TEST_CASE("a simulated slow disk (--heartbeat-delay-ms) under the heartbeat gets healthy workers WORKER TIMEOUT; /dev/shm "
          "cures it",
          "[process][heartbeat]") {
    LeakCheck leaks;
    auto slow = ServerProcess::start({"-w", "1", "-t", "3", "--heartbeat-delay-ms", "2500", "--worker-tmp-dir",
                                      "/var/tmp"});
    auto fast = ServerProcess::start({"-w", "1", "-t", "3", "--heartbeat-delay-ms", "2500", "--worker-tmp-dir",
                                      "/dev/shm"});
    CHECK(slow->wait_for_log("WORKER TIMEOUT", 10s));
    CHECK(fast->count_in_log("WORKER TIMEOUT") == 0);
    CHECK(http_get(fast->port(), "/").status == 200);
}
