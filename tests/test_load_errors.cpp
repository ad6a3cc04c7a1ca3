// [load] what the client counts when things go wrong — a refused connect, a
// reset, a timeout, a non-2xx/3xx status — each by its kind, and none of them
// stops the run; plus the command line a user sees (help, usage errors, the
// remote-host refusal, SIGTERM mid-run).
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "engine/trace/recording.h"
#include "tests/support/leak_check.h"
#include "tests/support/load_process.h"
#include "tests/support/run_minicorn.h"

using namespace minicorn::testing;

namespace {

std::string url(int port, std::string_view path = "/") { return "http://127.0.0.1:" + std::to_string(port) + std::string(path); }

// A tiny HTTP server on a thread: answers every request with `reply`, keeps the connection open.
class StubServer {
public:
    explicit StubServer(std::string reply) : reply_(std::move(reply)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 64) == 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~StubServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }

private:
    void serve() {
        std::vector<pollfd> fds{{fd_, POLLIN, 0}};
        std::vector<std::string> bufs{""};
        while (!stop_) {
            if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
            for (std::size_t i = 0; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                if (i == 0) {
                    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
                    if (c >= 0) {
                        fds.push_back({c, POLLIN, 0});
                        bufs.emplace_back();
                    }
                    continue;
                }
                char buf[4096];
                ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    continue;
                }
                bufs[i].append(buf, static_cast<std::size_t>(n));
                while (bufs[i].find("\r\n\r\n") != std::string::npos) {
                    bufs[i].erase(0, bufs[i].find("\r\n\r\n") + 4);
                    ::send(fds[i].fd, reply_.data(), reply_.size(), MSG_NOSIGNAL);
                }
            }
            for (std::size_t i = fds.size(); i-- > 1;) {
                if (fds[i].fd < 0) {
                    fds.erase(fds.begin() + static_cast<long>(i));
                    bufs.erase(bufs.begin() + static_cast<long>(i));
                }
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i) ::close(fds[i].fd);
    }
    std::string reply_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("a port with no listener: every attempt is a connect error, and the run still ends", "[process][load]") {
    LeakCheck leaks;
    int port = free_loopback_port();
    nlohmann::json r = run_load_json({url(port), "-c", "2", "-n", "6"});
    REQUIRE(r.is_object());
    CHECK(r["requests"] == 0);
    CHECK(r["errors"]["connect"] == 6);
    CHECK(r["errors"]["total"] == 6);

    nlohmann::json timed = run_load_json({url(port), "-c", "3", "-d", "0.5"});
    REQUIRE(timed.is_object());
    CHECK(timed["errors"]["connect"] >= 3);
    CHECK(timed["errors"]["connect"] <= 3 * 6);  // a refused user backs off 100 ms: no busy loop
}

TEST_CASE("a worker that dies mid-request is a reset", "[process][load]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "sync"});
        nlohmann::json r = run_load_json({url(server->port(), "/crash"), "-c", "1", "-n", "3"});
        REQUIRE(r.is_object());
        CHECK(r["requests"] == 0);
        CHECK(r["errors"]["reset"] == 3);
        CHECK(r["errors"]["total"] == 3);
        CHECK(server->wait_for_log("terminated due to signal 9", 5s, 3));
        // The client goes on after a reset: a normal request still works on this server.
        nlohmann::json ok = run_load_json({url(server->port()), "-c", "1", "-n", "5"});
        CHECK(ok["requests"] == 5);
        CHECK(ok["errors"]["total"] == 0);
    }
}

TEST_CASE("a request slower than --timeout is a timeout error; its connection is closed", "[process][load]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "2", "-k", "gevent"});
        auto start = std::chrono::steady_clock::now();
        nlohmann::json r = run_load_json({url(server->port(), "/io?ms=3000"), "-c", "2", "-n", "2", "--timeout", "0.5"});
        double took = Seconds(std::chrono::steady_clock::now() - start).count();
        REQUIRE(r.is_object());
        CHECK(r["errors"]["timeout"] == 2);
        CHECK(r["requests"] == 0);
        CHECK(took < 2.5);
    }
}

TEST_CASE("a response that is not 2xx/3xx counts as a status error, and as a completed request", "[process][load]") {
    LeakCheck leaks;
    {
        StubServer stub("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n");
        nlohmann::json r = run_load_json({url(stub.port()), "-c", "2", "-n", "10"});
        REQUIRE(r.is_object());
        CHECK(r["requests"] == 10);
        CHECK(r["errors"]["status"] == 10);
        CHECK(r["status"]["5xx"] == 10);
        CHECK(r["connects"] == 2);
    }
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gevent"});
        nlohmann::json r = run_load_json({url(server->port()), "--mix", "/:1,/no-such-page:1", "-c", "2", "-n", "200"});
        REQUIRE(r.is_object());
        CHECK(r["requests"] == 200);
        CHECK(r["status"]["4xx"] == r["errors"]["status"]);
        CHECK(r["status"]["2xx"] == r["mix"][0]["requests"]);
        CHECK(r["mix"][1]["requests"] >= 60);  // 1:1 weights: ~100 each
        CHECK(r["mix"][0]["requests"] >= 60);
    }
}

TEST_CASE("open loop: a rate of requests a second, connections opened as needed", "[process][load]") {
    LeakCheck leaks;
    {
        StubServer stub("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
        nlohmann::json r = run_load_json({url(stub.port()), "--rate", "400", "-d", "1.5"});
        REQUIRE(r.is_object());
        CHECK(r["mode"] == "open");
        CHECK(r["requests"] >= 450);  // 600 expected; Poisson arrivals
        CHECK(r["requests"] <= 750);
        CHECK(r["errors"]["total"] == 0);
        CHECK(r["connects"] < 100);  // keep-alive connections are reused between arrivals
    }
}

TEST_CASE("keep-alive off opens a connection per request", "[process][load]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gevent"});
        nlohmann::json off = run_load_json({url(server->port()), "-c", "2", "-n", "40", "--keep-alive", "off"});
        CHECK(off["requests"] == 40);
        CHECK(off["connects"] == 40);
        nlohmann::json on = run_load_json({url(server->port()), "-c", "2", "-n", "40"});
        CHECK(on["requests"] == 40);
        CHECK(on["connects"] == 2);
    }
}

TEST_CASE("aborters and slow readers act out their parts without hurting the good users' counts", "[process][load]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gevent"});
        nlohmann::json r = run_load_json({url(server->port()), "-c", "2", "-d", "1.5", "--aborters", "2",
                                          "--slow-readers", "1", "--slowloris-ms", "100"});
        REQUIRE(r.is_object());
        CHECK(r["requests"] > 50);
        CHECK(r["errors"]["total"] == 0);
        CHECK(r["bad_actors"]["aborters"]["connections"] >= 4);  // reset a tick after connecting, again a tick later
        CHECK(r["bad_actors"]["slow_readers"]["responses"] >= 1);
    }
}

TEST_CASE("SIGTERM stops a run and prints the results so far", "[process][load]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gevent"});
        LoadProcess load({url(server->port()), "-c", "2", "-d", "60", "--json"});
        ::usleep(700'000);
        load.signal(SIGTERM);
        REQUIRE(load.wait_exit(5s) == std::optional<int>(0));
        nlohmann::json r = load.json();
        REQUIRE(r.is_object());
        CHECK(r["interrupted"] == true);
        CHECK(r["requests"] > 0);
        CHECK(r["duration_s"] < 5);
    }
}

TEST_CASE("minicorn load: help, usage errors and the remote-host refusal read clearly", "[load]") {
    Run help = run_minicorn("load --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("usage: minicorn load URL") != std::string::npos);
    CHECK(help.output.find("--slowloris") != std::string::npos);

    Run none = run_minicorn("load");
    CHECK(none.status == 2);
    CHECK(none.output.find("URL is required") != std::string::npos);

    Run remote = run_minicorn("load http://192.0.2.1:8000/ -n 1");
    CHECK(remote.status == 2);
    CHECK(remote.output.find("--allow-remote") != std::string::npos);

    Run both = run_minicorn("load http://127.0.0.1:1/ -c 2 --rate 3");
    CHECK(both.status == 2);
    CHECK(both.output.find("exclude each other") != std::string::npos);

    Run top = run_minicorn("--help");
    CHECK(top.output.find("load ") != std::string::npos);
}

TEST_CASE("a normal run prints wrk-style results, and --trace FILE records the client's own events", "[process][load]") {
    LeakCheck leaks;
    char dir[] = "/tmp/minicorn-load-test-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string rec_path = std::string(dir) + "/client.rec";
    {
        StubServer stub("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
        LoadProcess load({url(stub.port()), "-c", "2", "-n", "25", "--trace", rec_path});
        REQUIRE(load.wait_exit(20s) == std::optional<int>(0));
        const std::string out = load.out();
        CHECK(out.find("Running a load of 25 requests @ http://127.0.0.1:") != std::string::npos);
        CHECK(out.find("25 requests in") != std::string::npos);
        CHECK(out.find("Requests/sec:") != std::string::npos);
        CHECK(out.find("Errors: none") != std::string::npos);
        CHECK(out.find("99.9%") != std::string::npos);
        CHECK(load.err().find("events written to " + rec_path) != std::string::npos);
    }
    std::string error;
    auto rec = minicorn::trace::Recording::load(rec_path, &error);
    REQUIRE(rec.has_value());
    std::size_t done = 0;
    std::size_t starts = 0;
    for (const auto& e : rec->events()) {
        done += e.kind == minicorn::trace::EventKind::ClientDone ? 1u : 0u;
        starts += e.kind == minicorn::trace::EventKind::ClientStart ? 1u : 0u;
    }
    CHECK(done == 25);
    CHECK(starts == 1);
    ::unlink(rec_path.c_str());
    ::rmdir(dir);
}
