// [process] tests of the gthread worker (gunicorn 20.1's classic design), on
// real sockets, read from the trace where the behaviour is internal.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <map>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/model.h"
#include "tests/support/keepalive_client.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;

TEST_CASE("gthread: at most --threads handlers run at once in a worker; the rest wait in the executor queue",
          "[process][gthread]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "2"});
        int port = ts.server().port();
        std::vector<std::future<HttpReply>> clients;
        for (int i = 0; i < 6; ++i) clients.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=300"); }));
        std::vector<double> took;
        for (auto& c : clients) {
            HttpReply r = c.get();
            CHECK(r.status == 200);
            took.push_back(r.seconds);
        }
        ts.stop();
        const Recording& rec = ts.recording();
        // Sweep HandlerStart/HandlerEnd in time order.
        int running = 0;
        int peak = 0;
        for (const Event& e : rec.events()) {
            if (e.kind == EventKind::HandlerStart) peak = std::max(peak, ++running);
            if (e.kind == EventKind::HandlerEnd) --running;
        }
        CHECK(peak == 2);
        // Six 300 ms requests on two threads: three waves.
        std::sort(took.begin(), took.end());
        CHECK(took.back() >= 0.85);
        // Accepted at once into the queue: the queue held more than one.
        auto submits = events_of(rec, EventKind::PoolSubmit);
        CHECK(std::any_of(submits.begin(), submits.end(), [](const Event& e) { return e.a0 >= 2; }));
    }
}

TEST_CASE("gthread: a keep-alive connection is parked in the poller and closed 2–3 s after its response",
          "[process][gthread]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "2", "--keep-alive", "2"});
        int fd = connect_loopback(ts.server().port());
        REQUIRE(fd >= 0);
        std::string req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
        std::string resp = read_response(fd);
        CHECK(resp.find("Connection: keep-alive") != std::string::npos);
        double idle_close = seconds_until_eof(fd, 6s);
        ::close(fd);
        CHECK(idle_close >= 1.9);
        CHECK(idle_close <= 3.5);
        ts.stop();
        const Recording& rec = ts.recording();
        auto parks = events_of(rec, EventKind::KeepAlivePark);
        REQUIRE(parks.size() == 1);
        std::uint64_t conn = parks.front().conn;
        bool registered = false;
        std::uint64_t written = 0;
        std::uint64_t closed = 0;
        for (std::uint32_t i : *rec.by_conn(conn)) {
            const Event& e = rec[i];
            if (e.kind == EventKind::PollRegister) registered = true;
            if (e.kind == EventKind::WriteDone) written = e.t_ns;
            if (e.kind == EventKind::Close) closed = e.t_ns;
        }
        CHECK(registered);
        double secs = static_cast<double>(closed - written) / 1e9;
        CHECK(secs >= 2.0);
        CHECK(secs <= 3.5);
    }
}

TEST_CASE("gthread --threads 1: a silent connection starves a real request, and the worker is never killed",
          "[process][gthread]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gthread", "--threads", "1", "-t", "3"});
        REQUIRE(server->wait_for_workers(1, 5s));
        int silent = connect_loopback(server->port());
        REQUIRE(silent >= 0);
        ::usleep(300'000);  // accepted and handed to the only thread, which blocks in recv()
        HttpReply starved = get_close(server->port(), "/", 5s);
        CHECK_FALSE(starved.got_response);  // 5 s, longer than --timeout: nothing
        CHECK(server->count_in_log("WORKER TIMEOUT") == 0);
        CHECK(server->count_in_log("Booting worker") == 1);  // the main thread kept beating (worker_pids() also lists /db's backend)
        ::close(silent);  // the thread is free again
        CHECK(get_close(server->port(), "/").status == 200);
    }
}

TEST_CASE("gthread: a request longer than --timeout completes (the main thread keeps beating)", "[process][gthread]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gthread", "--threads", "2", "-t", "2"});
        HttpReply r = get_close(server->port(), "/io?ms=3500");
        CHECK(r.status == 200);
        CHECK(r.seconds >= 3.4);
        CHECK(server->count_in_log("WORKER TIMEOUT") == 0);
    }
}

TEST_CASE("gthread at worker_connections stops polling: new clients wait in the kernel backlog", "[process][gthread]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "1", "--worker-connections", "1"});
        int port = ts.server().port();
        auto slow = std::async(std::launch::async, [port] { return get_close(port, "/io?ms=1500"); });
        ::usleep(300'000);
        auto quick = std::async(std::launch::async, [port] { return get_close(port, "/"); });
        HttpReply s = slow.get();
        HttpReply q = quick.get();
        CHECK(s.status == 200);
        CHECK(q.status == 200);
        CHECK(q.seconds >= 1.0);  // it waited for the slow one
        ts.stop();
        const Recording& rec = ts.recording();
        auto accepted = events_of(rec, EventKind::Accepted);
        REQUIRE(accepted.size() == 2);
        pid_t worker = accepted.front().pid;
        std::uint64_t first_close = 0;
        for (std::uint32_t i : *rec.by_conn(accepted.front().conn)) {
            if (rec[i].kind == EventKind::Close) first_close = rec[i].t_ns;
        }
        REQUIRE(first_close > 0);
        std::size_t polls = 0;
        std::size_t futures_waits = 0;
        for (std::size_t i = rec.lower_bound(accepted.front().t_ns); i < rec.size() && rec[i].t_ns < first_close; ++i) {
            if (rec[i].pid != worker || rec[i].tid != worker) continue;
            if (rec[i].kind == EventKind::PollWait) ++polls;
            if (rec[i].kind == EventKind::FuturesWait) ++futures_waits;
        }
        CHECK(polls == 0);
        CHECK(futures_waits >= 1);
        CHECK(accepted[1].t_ns > first_close);  // the second client was accepted only after
    }
}

TEST_CASE("gthread --max-requests 2 on one keep-alive connection: the second answer closes, the worker restarts",
          "[process][gthread]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "gthread", "--threads", "2", "--max-requests", "2"});
        REQUIRE(server->wait_for_workers(1, 5s));
        int fd = connect_loopback(server->port());
        REQUIRE(fd >= 0);
        std::string req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
        std::string first = read_response(fd);
        CHECK(first.find("Connection: keep-alive") != std::string::npos);
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
        std::string second = read_response(fd);
        CHECK(second.starts_with("HTTP/1.1 200"));
        CHECK(second.find("Connection: close") != std::string::npos);
        CHECK(seconds_until_eof(fd, 3s) >= 0);
        ::close(fd);
        CHECK(server->wait_for_log("Autorestarting worker after current request.", 3s));
        CHECK(server->wait_for_log("Booting worker with pid: ", 5s, 2));
    }
}

TEST_CASE("-k sync with --threads 4 runs gthread, as in gunicorn", "[process][gthread]") {
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-w", "1", "-k", "sync", "--threads", "4"});
        CHECK(server->wait_for_log("[INFO] Using worker: gthread", 2s));
        HttpReply r = send_raw(server->port(), "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        CHECK(r.status == 200);
    }
}

TEST_CASE("gthread in the World: poll set, keep-alive list, executor queue, busy threads, the GIL", "[process][gthread]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "2", "--keep-alive", "5"});
        int port = ts.server().port();
        // One keep-alive connection, served and parked.
        int kept = connect_loopback(port);
        REQUIRE(kept >= 0);
        std::string req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        ::send(kept, req.data(), req.size(), MSG_NOSIGNAL);
        CHECK(read_response(kept).find("keep-alive") != std::string::npos);
        // Four slow requests on two threads: two run, two wait in the executor queue.
        std::vector<std::future<HttpReply>> slow;
        for (int i = 0; i < 4; ++i) slow.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=600"); }));
        ::usleep(300'000);
        std::uint64_t middle = minicorn::trace::now_ns();
        for (auto& s : slow) CHECK(s.get().status == 200);
        ::close(kept);
        ts.stop();

        minicorn::trace::TraceModel model(ts.recording(), 256);
        model.update();
        minicorn::trace::World w = model.world_at(middle);
        auto workers = w.workers();
        REQUIRE(workers.size() == 1);
        const minicorn::trace::Process& p = *workers.front();
        INFO(minicorn::trace::describe(w));
        CHECK(p.model == minicorn::trace::ModelId::Gthread);
        CHECK(p.poll.size() == 2);           // the listener and the parked connection
        REQUIRE(p.keepalive.size() == 1);    // the parked connection, with its deadline
        CHECK(p.keepalive.front().deadline_ms > 0);
        CHECK(p.poll.count(static_cast<std::int64_t>(0)) == 0);
        CHECK(p.pool_queue.size() == 2);     // accepted, waiting for a thread
        int busy = 0;
        for (const auto& [tid, th] : p.threads) busy += (tid != p.pid && th.req != 0) ? 1 : 0;
        CHECK(busy == 2);                    // each pool thread on its request
        CHECK(p.gil.acquisitions > 0);
        // Pool threads, the GIL and keep-alive parking export cleanly for Perfetto.
        std::vector<std::string> problems = minicorn::trace::check_trace_json(minicorn::trace::export_chrome_json(ts.recording()));
        INFO((problems.empty() ? std::string() : problems.front()));
        CHECK(problems.empty());
    }
}

TEST_CASE("gthread's GIL in the World from a real recording: the app runs holding it, a read that waits "
          "does not, a waiter is never the holder",
          "[process][gthread][gil][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "3", "--keep-alive", "5"});
        int port = ts.server().port();
        // The one thread reading (the silent client's) is not the GIL's holder.
        const auto reader_without_gil = [](const minicorn::trace::World& w) {
            REQUIRE(w.workers().size() == 1);
            const minicorn::trace::Process& p = *w.workers().front();
            INFO(minicorn::trace::describe(w));
            int reading = 0;
            for (const auto& [tid, th] : p.threads) {
                if (th.activity != minicorn::trace::ThreadActivity::Reading) continue;
                ++reading;
                CHECK(p.gil.holder != tid);
            }
            CHECK(reading == 1);
        };
        // Keep-alive requests: reads and writes that return at once.
        int kept = connect_loopback(port);
        REQUIRE(kept >= 0);
        const std::string req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        for (int i = 0; i < 20; ++i) {
            ::send(kept, req.data(), req.size(), MSG_NOSIGNAL);
            CHECK(read_response(kept).find("200 OK") != std::string::npos);
        }
        // Half a request, then silence: a pool thread waits in recv for the rest, while nobody
        // else wants the GIL (the main thread polls for up to a second).
        int silent = connect_loopback(port);
        REQUIRE(silent >= 0);
        const std::string head = "GET / HTTP/1.1\r\nHost: t\r\n";
        ::send(silent, head.data(), head.size(), MSG_NOSIGNAL);
        ::usleep(50'000);
        const std::uint64_t silent_waits = minicorn::trace::now_ns();
        ::usleep(100'000);
        {  // live, as the studio sees it now: the waiting reader does not hold the GIL
            ts.drain();
            minicorn::trace::TraceModel live(ts.recording(), 256);
            live.update();
            reader_without_gil(live.latest());
        }
        // Two computing requests at once on the two other threads: they take turns with the GIL.
        auto a = std::async(std::launch::async, [port] { return get_close(port, "/cpu?ms=40"); });
        auto b = std::async(std::launch::async, [port] { return get_close(port, "/cpu?ms=40"); });
        CHECK(a.get().status == 200);
        CHECK(b.get().status == 200);
        ::send(silent, "\r\n", 2, MSG_NOSIGNAL);
        CHECK(read_response(silent).find("200 OK") != std::string::npos);
        ::close(silent);
        ::close(kept);
        ts.stop();

        minicorn::trace::TraceModel model(ts.recording(), 256);
        model.update();
        const pid_t worker = [&] {
            minicorn::trace::World w = model.world_at(silent_waits);
            return w.workers().empty() ? 0 : w.workers().front()->pid;
        }();
        REQUIRE(worker != 0);
        reader_without_gil(model.world_at(silent_waits));  // and in the whole recording
        int handlers = 0;
        int waits = 0;
        for (const Event& e : ts.recording().events()) {
            if (e.pid != worker) continue;
            if (e.kind == EventKind::HandlerStart) {  // the application runs only with the GIL
                ++handlers;
                CHECK(model.world_at(e.t_ns).process(worker)->gil.holder == e.tid);
            } else if (e.kind == EventKind::GilWait) {  // a waiter is listed, and someone else holds it
                ++waits;
                minicorn::trace::World w = model.world_at(e.t_ns);
                const minicorn::trace::Gil& gil = w.process(worker)->gil;
                CHECK(std::count(gil.waiters.begin(), gil.waiters.end(), e.tid) == 1);
                CHECK(gil.holder != 0);
                CHECK(gil.holder != e.tid);
            }
        }
        CHECK(handlers == 23);
        CHECK(waits > 0);
    }
}
