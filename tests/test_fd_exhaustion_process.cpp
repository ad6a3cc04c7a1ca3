// [process] A worker at its process's fd limit (RLIMIT_NOFILE 64) under 300
// connections: accept fails with EMFILE. The acceptor backs off as gevent's
// servers do — stops accepting, retries after 10 ms doubling to 1 s — so the
// worker does not spin, logs the episode once, goes on serving the
// connections it has, and serves new ones once fds free up.
//
// Not run for sync: one connection at a time, it never holds enough fds to
// reach the limit.
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"

using namespace minicorn::testing;

namespace {

const char* kModels[] = {"gevent", "eventlet", "asyncio", "gthread", "tornado"};
constexpr int kFdLimit = 64;
constexpr int kClients = 300;
constexpr std::string_view kRequest = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

// The soft RLIMIT_NOFILE of this process lowered while it lives (children
// forked meanwhile inherit it).
class LowFdLimit {
public:
    explicit LowFdLimit(rlim_t soft) {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
        rlimit low{soft, saved_.rlim_max};
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    }
    ~LowFdLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
    LowFdLimit(const LowFdLimit&) = delete;
    LowFdLimit& operator=(const LowFdLimit&) = delete;

private:
    rlimit saved_{};
};

// utime + stime of `pid`, in clock ticks.
long cpu_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
    long utime = 0;
    long stime = 0;
    fields >> utime >> stime;
    return utime + stime;
}

// The share of one CPU `pid` used over `seconds`.
double cpu_share(pid_t pid, double seconds) {
    const long before = cpu_ticks(pid);
    ::usleep(static_cast<useconds_t>(seconds * 1e6));
    return static_cast<double>(cpu_ticks(pid) - before) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / seconds;
}

}  // namespace

TEST_CASE("at the fd limit a worker backs off accepting: no spin, one log line, open connections served, then new ones",
          "[process][fd]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            std::unique_ptr<ServerProcess> server;
            {
                LowFdLimit limit(kFdLimit);
                server = ServerProcess::start({"-w", "1", "-k", model, "--keep-alive", "30"});
            }
            const int port = server->port();
            REQUIRE(server->wait_for_workers(1, 10s));
            const pid_t worker = server->worker_pids().front();

            // A connection served before the flood, kept alive through it.
            const int kept = connect_loopback(port);
            REQUIRE(kept >= 0);
            CHECK(get_on(kept, "/").find(" 200 ") != std::string::npos);

            // Clients that each send a request and keep their connection (not
            // silent ones: they would hold gthread's pool threads for good).
            std::vector<int> flood;
            for (int i = 0; i < kClients; ++i) {
                flood.push_back(connect_loopback(port));
                ::send(flood.back(), kRequest.data(), kRequest.size(), MSG_NOSIGNAL);
            }
            ::usleep(1'500'000);  // the worker accepts up to its limit, then fails

            CHECK(get_on(kept, "/").find(" 200 ") != std::string::npos);  // the open connection is still served
            CHECK(cpu_share(worker, 2.0) < 0.15);                      // no spin on the readable listener
            CHECK(server->count_in_log("accept() failed") == 1);       // once per episode
            CHECK(server->log().size() < 16 * 1024);

            for (int fd : flood) ::close(fd);
            ::close(kept);
            // The clients are gone: their accepted connections close, fds free up, accept works again.
            HttpReply again = get_close(port, "/", 10s);
            CHECK(again.status == 200);
            CHECK(cpu_share(worker, 1.0) < 0.15);
            CHECK(server->count_in_log("Booting worker") == 1);  // the same worker throughout
        }
    }
}
