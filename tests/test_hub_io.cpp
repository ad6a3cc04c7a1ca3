// The greenlet hub (engine/hub) and sockets: green socket calls, the poll
// list, cancel_wait, a second waiter on one fd, signals, and the trace of a
// greenlet parked on a socket. Scheduling, timers and kill: test_hub.cpp.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "tests/support/hub_thread.h"
#include "tests/support/local_trace.h"
#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace minicorn::testing;
using minicorn::hub::Clock;
using minicorn::hub::FdWait;
using minicorn::hub::GreenId;
using minicorn::hub::Hub;
using minicorn::hub::IoResult;
using minicorn::hub::Wait;
namespace hub = minicorn::hub;
namespace trace = minicorn::trace;

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

TEST_CASE("an acceptor parked on a listener serves 3 loopback clients that connect with green_connect", "[hub]") {
    std::vector<std::string> replies;
    std::vector<int> peer_ports;
    std::vector<bool> accepted_nonblocking_cloexec;
    bool acceptor_parked_first = false;
    on_hub_thread([&](Hub& hub) {
        sockaddr_in addr{};
        const int listener = listen_loopback(addr);
        hub.spawn([&] {  // the acceptor: one echo greenlet per connection
            for (int i = 0; i < 3; ++i) {
                sockaddr_storage peer{};
                socklen_t plen = sizeof peer;
                int fd = -1;
                while ((fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
                    REQUIRE(errno == EAGAIN);
                    REQUIRE(hub.wait_fd(listener, EPOLLIN) == Wait::Ready);  // gevent's accept: park on the listener
                }
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

TEST_CASE("cancel_wait() before closing an fd wakes its waiters: an acceptor is cancelled, a reader gets EBADF", "[hub]") {
    Wait accept_wait = Wait::Ready;
    IoResult read_result{IoResult::Ok, 0, 0};
    std::size_t woken = 0;
    on_hub_thread([&](Hub& hub) {
        sockaddr_in addr{};
        const int listener = listen_loopback(addr);
        SocketPair sp;
        hub.spawn([&] { accept_wait = hub.wait_fd(listener, EPOLLIN); });
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
    CHECK(accept_wait == Wait::Cancelled);
    CHECK(read_result.status == IoResult::Error);
    CHECK(read_result.errno_value == EBADF);
}

TEST_CASE("a second greenlet waiting on the same fd and direction aborts (ConcurrentObjectUseError)",
          "[hub][process]") {
    const std::size_t fds_before = open_fd_count();
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

TEST_CASE("a greenlet that parks on a socket traces spawn, switch, park, poll, wake and exit", "[hub]") {
    LocalTrace local;
    int fd = -1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;
        fd = sp.a;
        hub.spawn([&] { recv_exact(sp.a, 2); }, 77);
        hub.yield();  // green 1 runs and parks on sp.a
        hub::green_send_all(sp.b, "hi");
        hub.run();
    });
    using K = trace::EventKind;
    const std::vector<Seen> seen = seen_of(local.collect(), {K::GreenSpawn, K::GreenSwitch, K::GreenPark, K::GreenWake,
                                                             K::GreenExit, K::PollRegister, K::PollUnregister,
                                                             K::PollWait, K::PollWake});
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
