// The greenlet hub (engine/hub): scheduling order, green socket calls,
// timers, what a blocking call does to everyone, the poll list and the
// trace. Each scenario runs on a fresh thread with its own hub (green ids
// from 1) and records what it observes; the test thread checks afterwards.
// (A REQUIRE that fails inside a greenlet is recorded, then its exception
// ends that greenlet: the hub prints it.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "engine/trace/collector.h"
#include "engine/trace/emit.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"

using namespace std::chrono_literals;
using minicorn::hub::Clock;
using minicorn::hub::GreenId;
using minicorn::hub::Hub;
using minicorn::hub::HubExit;
using minicorn::hub::IoResult;
using minicorn::hub::FdWait;
using minicorn::hub::Wait;
namespace hub = minicorn::hub;
namespace trace = minicorn::trace;

namespace {

// Runs `scenario` on a new thread whose hub is fresh; rethrows what escaped it.
template <class F>
void on_hub_thread(F&& scenario) {
    std::exception_ptr error;
    std::thread t([&] {
        try {
            Hub::install();
            scenario(Hub::current());
        } catch (...) {
            error = std::current_exception();
        }
    });
    t.join();
    if (error) std::rethrow_exception(error);
}

struct SocketPair {
    int a = -1;
    int b = -1;
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
        a = fds[0];
        b = fds[1];
    }
    ~SocketPair() {
        ::close(a);
        ::close(b);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;
};

// Reads exactly n bytes with green_recv ("" on EOF, error or timeout).
std::string recv_exact(int fd, std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        IoResult r = hub::green_recv(fd, out.data() + got, n - got);
        if (r.status != IoResult::Ok) return "";
        got += r.bytes;
    }
    return out;
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

int open_fd_count() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
    return n - 1;  // the DIR's own fd
}

}  // namespace

TEST_CASE("spawned greenlets run in spawn order, and only when the spawner yields", "[hub]") {
    std::vector<std::string> log;
    std::vector<GreenId> ids;
    std::size_t live_after_spawn = 0;
    on_hub_thread([&](Hub& hub) {
        for (int i = 1; i <= 3; ++i) {
            ids.push_back(hub.spawn([&, i] { log.push_back("g" + std::to_string(i) + " as green " +
                                                           std::to_string(Hub::current().current_green())); }));
        }
        log.push_back("main spawned 3");
        live_after_spawn = hub.live_greenlets();
        hub.yield();
        log.push_back("main resumed");
        hub.run();
    });
    CHECK(ids == std::vector<GreenId>{1, 2, 3});
    CHECK(live_after_spawn == 3);
    CHECK(log == std::vector<std::string>{"main spawned 3", "g1 as green 1", "g2 as green 2", "g3 as green 3",
                                          "main resumed"});
}

TEST_CASE("two greenlets ping-pong over a socketpair with green_recv and green_send_all", "[hub]") {
    std::vector<std::string> log;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;
        hub.spawn([&] {
            for (int i = 0; i < 3; ++i) {
                hub::green_send_all(sp.a, "ping" + std::to_string(i));
                log.push_back("A got " + recv_exact(sp.a, 5));
            }
        });
        hub.spawn([&] {
            for (int i = 0; i < 3; ++i) {
                log.push_back("B got " + recv_exact(sp.b, 5));
                hub::green_send_all(sp.b, "pong" + std::to_string(i));
            }
        });
        hub.run();
    });
    CHECK(log == std::vector<std::string>{"B got ping0", "A got pong0", "B got ping1", "A got pong1", "B got ping2",
                                          "A got pong2"});
}

TEST_CASE("wait_fd with a deadline times out, and the fd leaves the poll list", "[hub]") {
    Wait status = Wait::Ready;
    IoResult recv_result{IoResult::Ok, 0, 0};
    double waited_ms = 0;
    std::size_t registered_while_waiting = 0, timers_while_waiting = 0;
    std::size_t registered_after = 1, timers_after = 1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;  // nobody ever writes to sp.b
        hub.spawn([&] {
            auto t0 = Clock::now();
            status = hub.wait_fd(sp.a, EPOLLIN, t0 + 50ms);
            waited_ms = ms_since(t0);
            char buf[8];
            recv_result = hub::green_recv(sp.a, buf, sizeof buf, Clock::now() + 10ms);
        });
        hub.spawn([&] {
            registered_while_waiting = hub.registered_fds();
            timers_while_waiting = hub.pending_timers();
        });
        hub.run();
        registered_after = hub.registered_fds();
        timers_after = hub.pending_timers();
    });
    CHECK(status == Wait::TimedOut);
    CHECK(waited_ms >= 50);
    CHECK(waited_ms < 150);
    CHECK(recv_result.status == IoResult::TimedOut);
    CHECK(registered_while_waiting == 1);
    CHECK(timers_while_waiting == 1);
    CHECK(registered_after == 0);
    CHECK(timers_after == 0);
}

TEST_CASE("100 greenlets sleeping 50 ms each finish together in about 50 ms", "[hub]") {
    double elapsed_ms = 0;
    int finished = 0;
    on_hub_thread([&](Hub& hub) {
        auto t0 = Clock::now();
        for (int i = 0; i < 100; ++i) {
            hub.spawn([&] {
                hub.sleep(50ms);
                ++finished;
            });
        }
        hub.run();
        elapsed_ms = ms_since(t0);
    });
    CHECK(finished == 100);
    CHECK(elapsed_ms >= 50);
    CHECK(elapsed_ms < 200);  // one after another would take 5 s
}

TEST_CASE("an unpatched blocking call (::usleep) in one greenlet blocks every other greenlet", "[hub]") {
    std::vector<double> sleeper_woke_ms;
    double blocker_done_ms = 0;
    on_hub_thread([&](Hub& hub) {
        auto t0 = Clock::now();
        for (int i = 0; i < 3; ++i) {
            hub.spawn([&] {
                hub.sleep(10ms);  // due at 10 ms...
                sleeper_woke_ms.push_back(ms_since(t0));
            });
        }
        hub.spawn([&] {
            ::usleep(200'000);  // ...but the hub cannot run until this returns
            blocker_done_ms = ms_since(t0);
        });
        hub.run();
    });
    REQUIRE(sleeper_woke_ms.size() == 3);
    CHECK(blocker_done_ms >= 200);
    for (double t : sleeper_woke_ms) CHECK(t >= blocker_done_ms);
}

TEST_CASE("green_accept serves 3 loopback clients that connect with green_connect", "[hub]") {
    std::vector<std::string> replies;
    std::vector<int> peer_ports;
    std::vector<bool> accepted_nonblocking_cloexec;
    bool acceptor_parked_first = false;
    on_hub_thread([&](Hub& hub) {
        int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(listener >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener, 16) == 0);
        socklen_t alen = sizeof addr;
        REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &alen) == 0);

        hub.spawn([&] {  // the acceptor: one echo greenlet per connection
            for (int i = 0; i < 3; ++i) {
                sockaddr_storage peer{};
                socklen_t plen = sizeof peer;
                int err = 0;
                int fd = hub::green_accept(listener, &peer, &plen, err);
                REQUIRE(fd >= 0);
                peer_ports.push_back(ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port));
                accepted_nonblocking_cloexec.push_back((::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0 &&
                                                       (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
                hub.spawn([fd] {
                    std::string msg = recv_exact(fd, 7);
                    hub::green_send_all(fd, "echo " + msg);
                    ::close(fd);
                });
            }
        });
        hub.spawn([&] {  // runs after the acceptor parked on the empty listener
            acceptor_parked_first = !hub.poll_list().empty() && hub.poll_list()[0].fd == listener;
        });
        for (int i = 0; i < 3; ++i) {
            hub.spawn([&, i] {
                int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                IoResult c = hub::green_connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr, Clock::now() + 2s);
                REQUIRE(c.status == IoResult::Ok);
                hub::green_send_all(fd, "hello " + std::to_string(i));
                replies.push_back(recv_exact(fd, 12));
                ::close(fd);
            });
        }
        hub.run();
        ::close(listener);
    });
    CHECK(acceptor_parked_first);
    std::sort(replies.begin(), replies.end());
    CHECK(replies == std::vector<std::string>{"echo hello 0", "echo hello 1", "echo hello 2"});
    REQUIRE(peer_ports.size() == 3);
    CHECK(peer_ports[0] != peer_ports[1]);
    CHECK(peer_ports[1] != peer_ports[2]);
    CHECK(accepted_nonblocking_cloexec == std::vector<bool>{true, true, true});
}

TEST_CASE("the poll list shows each parked greenlet's fd, direction and connection", "[hub]") {
    std::vector<FdWait> seen;
    std::size_t parked = 0, timers = 0, registered = 0;
    std::vector<FdWait> after;
    std::vector<int> fds;
    on_hub_thread([&](Hub& hub) {
        SocketPair p1, p2;
        // p2.a's send buffer is filled, so a writer on it must wait for room.
        std::string chunk(64 * 1024, 'x');
        while (::send(p2.a, chunk.data(), chunk.size(), MSG_NOSIGNAL) > 0) {}
        fds = {p1.a, p2.a};
        hub.spawn([&] { hub.wait_fd(p1.a, EPOLLIN); }, 101);
        hub.spawn([&] { hub.wait_fd(p2.a, EPOLLIN, Clock::now() + 5s); }, 102);
        hub.spawn([&] { hub.wait_fd(p2.a, EPOLLOUT); }, 103);
        hub.yield();  // all three run and park
        seen = hub.poll_list();
        parked = hub.parked_greenlets();
        timers = hub.pending_timers();
        registered = hub.registered_fds();
        hub::green_send_all(p1.b, "x");  // wakes green 1
        hub::green_send_all(p2.b, "y");  // wakes green 2
        char drain[64 * 1024];
        while (::recv(p2.b, drain, sizeof drain, 0) > 0) {}  // room: wakes green 3
        hub.run();
        after = hub.poll_list();
    });
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].fd == fds[0]);
    CHECK(seen[0].events == EPOLLIN);
    CHECK(seen[0].green == 1);
    CHECK(seen[0].conn == 101);
    CHECK(seen[1].fd == fds[1]);
    CHECK(seen[1].events == EPOLLIN);
    CHECK(seen[1].green == 2);
    CHECK(seen[2].fd == fds[1]);
    CHECK(seen[2].events == EPOLLOUT);
    CHECK(seen[2].green == 3);
    CHECK(seen[2].conn == 103);
    CHECK(parked == 3);
    CHECK(timers == 1);
    CHECK(registered == 2);  // two fds; one of them in both directions
    CHECK(after.empty());
}

TEST_CASE("kill() throws GreenletExit where a greenlet is parked; one killed before it starts never runs", "[hub]") {
    std::vector<std::string> log;
    bool killed_both = false, unknown_killed = true;
    std::size_t live_after = 1, registered_after = 1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;
        GreenId parked = hub.spawn([&] {
            struct Unwound {
                std::vector<std::string>& log;
                ~Unwound() { log.push_back("parked greenlet unwound"); }
            } guard{log};
            hub.wait_fd(sp.a, EPOLLIN);  // nobody writes
            log.push_back("parked greenlet went on (wrong)");
        });
        hub.yield();  // it parks
        GreenId unstarted = hub.spawn([&] { log.push_back("unstarted greenlet ran (wrong)"); });
        killed_both = hub.kill(unstarted) && hub.kill(parked);
        hub.run();
        unknown_killed = hub.kill(parked);  // already gone
        live_after = hub.live_greenlets();
        registered_after = hub.registered_fds();
    });
    CHECK(killed_both);
    CHECK(log == std::vector<std::string>{"parked greenlet unwound"});
    CHECK_FALSE(unknown_killed);
    CHECK(live_after == 0);
    CHECK(registered_after == 0);
}

TEST_CASE("cancel_wait() before closing an fd wakes its waiters: an acceptor and a reader get EBADF", "[hub]") {
    int accept_result = 0, accept_err = 0;
    IoResult read_result{IoResult::Ok, 0, 0};
    std::size_t woken = 0;
    on_hub_thread([&](Hub& hub) {
        int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener, 16) == 0);
        SocketPair sp;
        hub.spawn([&] { accept_result = hub::green_accept(listener, nullptr, nullptr, accept_err); });
        hub.spawn([&] {
            char buf[16];
            read_result = hub::green_recv(sp.a, buf, sizeof buf);
        });
        hub.yield();  // both park
        // A graceful stop: the listener closes under its acceptor (gevent's server.close()).
        woken = hub.cancel_wait(listener);
        ::close(listener);
        woken += hub.cancel_wait(sp.a);
        hub.run();
    });
    CHECK(woken == 2);
    CHECK(accept_result == -1);
    CHECK(accept_err == EBADF);
    CHECK(read_result.status == IoResult::Error);
    CHECK(read_result.errno_value == EBADF);
}

TEST_CASE("a second greenlet waiting on the same fd and direction aborts (ConcurrentObjectUseError)",
          "[hub][process]") {
    const int fds_before = open_fd_count();
    int err_pipe[2];
    REQUIRE(::pipe2(err_pipe, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::signal(SIGABRT, SIG_DFL);  // not Catch's fatal-signal report
        ::dup2(err_pipe[1], 2);
        Hub& hub = Hub::install();
        int sv[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
        hub.spawn([&] { hub.wait_fd(sv[0], EPOLLIN); });
        hub.spawn([&] { hub.wait_fd(sv[0], EPOLLIN); });
        hub.run();
        ::_exit(0);
    }
    ::close(err_pipe[1]);
    std::string err;
    char buf[512];
    for (ssize_t n; (n = ::read(err_pipe[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
    ::close(err_pipe[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
    CHECK(err.find("greenlet 2 waits on fd") != std::string::npos);
    CHECK(err.find("ConcurrentObjectUseError") != std::string::npos);
    CHECK(open_fd_count() == fds_before);
}

TEST_CASE("an exception in a greenlet is printed and the hub goes on; HubExit reaches the main fiber", "[hub]") {
    bool later_greenlet_ran = false;
    int exit_code = 0;
    double main_woke_ms = 1e9;
    on_hub_thread([&](Hub& hub) {
        hub.spawn([] { throw std::runtime_error("boom (expected by the test)"); });
        hub.spawn([&] { later_greenlet_ran = true; });
        hub.run();
        hub.spawn([&] {
            hub.sleep(20ms);
            throw HubExit{3};
        });
        hub.spawn([&] { hub.sleep(10s); });  // still parked when HubExit arrives
        auto t0 = Clock::now();
        try {
            hub.sleep(10s);  // the main fiber is woken early to receive it
        } catch (const HubExit& e) {
            exit_code = e.code;
            main_woke_ms = ms_since(t0);
        }
    });  // the thread exits with the 10 s sleeper parked: the hub expires it
    CHECK(later_greenlet_ran);
    CHECK(exit_code == 3);
    CHECK(main_woke_ms < 1000);
}

namespace {

// Deep frames with stack arrays: their redzones are what a missed ASan
// stack-switch annotation leaves poisoned after a throw.
__attribute__((noinline)) void throw_from_depth(int depth) {
    volatile char frame[256];
    frame[depth] = static_cast<char>(depth);
    if (depth == 0) throw std::runtime_error(std::string("deep ") + frame[0]);
    throw_from_depth(depth - 1);
}

__attribute__((noinline)) int use_depth(int depth) {
    volatile char frame[200] = {};
    frame[depth % 200] = 1;
    return depth == 0 ? frame[0] : use_depth(depth - 1) + frame[1];
}

}  // namespace

TEST_CASE("a greenlet that catches its own exception goes on running and parking", "[hub]") {
    // Under ASan this is the regression test for the hub's stack-switch annotations.
    int rounds = 0;
    on_hub_thread([&](Hub& hub) {
        for (int g = 0; g < 4; ++g) {
            hub.spawn([&] {
                for (int i = 0; i < 3; ++i) {
                    try {
                        throw_from_depth(10);
                    } catch (const std::runtime_error&) {
                    }
                    use_depth(12);
                    hub.yield();
                    ++rounds;
                }
            });
        }
        hub.run();
    });
    CHECK(rounds == 12);
}

namespace {
std::atomic<Hub*> g_signalled_hub{nullptr};
}

TEST_CASE("a signal runs on_signal on the hub, which can stop run()", "[hub][process]") {
    struct sigaction sa{}, old{};
    // No SA_RESTART: a signal that lands in epoll_wait interrupts it (EINTR). One that lands while a
    // greenlet runs is caught by notify_signal(). Either way on_signal runs once, on the hub.
    sa.sa_handler = [](int) {
        if (Hub* h = g_signalled_hub.load()) h->notify_signal();
    };
    ::sigemptyset(&sa.sa_mask);
    REQUIRE(::sigaction(SIGUSR1, &sa, &old) == 0);
    std::atomic<pthread_t> hub_thread{};
    std::atomic<bool> parked{false};
    int on_signal_calls = 0;
    GreenId on_signal_green = 99;
    std::size_t live_after_stop = 0;
    std::thread killer([&] {
        while (!parked) std::this_thread::sleep_for(1ms);
        std::this_thread::sleep_for(30ms);
        ::pthread_kill(hub_thread.load(), SIGUSR1);
    });
    on_hub_thread([&](Hub& hub) {
        hub_thread = ::pthread_self();
        g_signalled_hub = &hub;
        SocketPair sp;
        hub.set_on_signal([&] {
            ++on_signal_calls;
            on_signal_green = hub.current_green();
            hub.stop();
        });
        GreenId reader = hub.spawn([&] {
            parked = true;
            hub.wait_fd(sp.a, EPOLLIN, Clock::now() + 10s);
        });
        hub.run();  // returns through stop() in on_signal, with the reader still parked
        live_after_stop = hub.live_greenlets();
        g_signalled_hub = nullptr;
        hub.kill(reader);
        hub.run();
    });
    killer.join();
    ::sigaction(SIGUSR1, &old, nullptr);
    CHECK(on_signal_calls == 1);
    CHECK(on_signal_green == 0);
    CHECK(live_after_stop == 1);
}

TEST_CASE("a thread that exits with greenlets still parked kills them: their stacks unwind", "[hub]") {
    std::vector<std::string> log;
    on_hub_thread([&](Hub& hub) {
        struct Unwound {
            std::vector<std::string>& log;
            std::string name;
            ~Unwound() { log.push_back(name + " unwound"); }
        };
        auto sp = std::make_shared<SocketPair>();
        hub.spawn([&, sp] {
            Unwound guard{log, "reader"};
            char buf[8];
            hub::green_recv(sp->a, buf, sizeof buf);  // nobody writes
            log.push_back("reader went on (wrong)");
        });
        hub.spawn([&] {
            Unwound guard{log, "sleeper"};
            hub.sleep(1h);
            log.push_back("sleeper went on (wrong)");
        });
        hub.yield();  // both park; the scenario returns without run()
    });
    std::sort(log.begin(), log.end());
    CHECK(log == std::vector<std::string>{"reader unwound", "sleeper unwound"});
}

TEST_CASE("a greenlet that parks on a socket traces spawn, switch, park, poll, wake and exit", "[hub]") {
    std::string error;
    trace::Region region = trace::Region::create(&error, 4, 1u << 12);
    REQUIRE(region.valid());
    trace::attach(&region, 1);
    int fd = -1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;
        fd = sp.a;
        hub.spawn([&] { recv_exact(sp.a, 2); }, 77);
        hub.yield();  // green 1 runs and parks on sp.a
        hub::green_send_all(sp.b, "hi");
        hub.run();
    });
    trace::attach(nullptr, 0);
    trace::Recording rec;
    trace::Collector(region, 0ms).flush(rec);

    using K = trace::EventKind;
    struct Seen {
        K kind;
        std::uint32_t green;
        std::uint64_t conn;
        std::int64_t a0, a1;
        bool operator==(const Seen&) const = default;
    };
    std::vector<Seen> seen;
    for (const trace::Event& e : rec.events()) {
        if (e.pid != ::getpid()) continue;
        switch (e.kind) {
            case K::GreenSpawn: case K::GreenSwitch: case K::GreenPark: case K::GreenWake: case K::GreenExit:
            case K::PollRegister: case K::PollUnregister: case K::PollWait: case K::PollWake:
                seen.push_back({e.kind, e.green, e.conn, e.a0, e.a1});
                break;
            default:
                break;
        }
    }
    const std::vector<Seen> expected{
        {K::GreenSpawn, 1, 77, 0, 0},         // parent: main
        {K::GreenSwitch, 1, 77, 0, 0},        // main yields to green 1
        {K::PollRegister, 1, 77, fd, EPOLLIN},
        {K::GreenPark, 1, 77, fd, EPOLLIN},
        {K::GreenSwitch, 0, 0, 1, 0},         // back to main
        {K::PollWait, 0, 0, -1, 1},           // main parked in run(): the hub waits, one fd
        {K::PollWake, 0, 0, 1, 0},            // one ready
        {K::PollUnregister, 1, 77, fd, 0},
        {K::GreenWake, 1, 77, fd, 0},         // fd ready, not timed out
        {K::GreenSwitch, 1, 77, 0, 0},
        {K::GreenExit, 1, 77, 0, 0},
        {K::GreenSwitch, 0, 0, 1, 0},         // main leaves run()
    };
    CHECK(seen == expected);
}
