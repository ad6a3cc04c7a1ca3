// [process] tests of the trace on a real server: the sync worker's invariants,
// read from the Recording alone, and the gate.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <set>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/model.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;

namespace {

// The worker pids that booted (WorkerBoot), in boot order.
std::vector<pid_t> booted_workers(const Recording& rec) {
    std::vector<pid_t> out;
    for (const Event& e : events_of(rec, EventKind::WorkerBoot)) out.push_back(e.pid);
    return out;
}

// Position (in the connection's own events) of the first event of `kind`, or -1.
long first_index(const std::vector<Event>& evs, EventKind kind) {
    for (std::size_t i = 0; i < evs.size(); ++i) {
        if (evs[i].kind == kind) return static_cast<long>(i);
    }
    return -1;
}

}  // namespace

TEST_CASE("the Recording of a sync server under traffic shows every request's lifecycle", "[process][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_workers(r).size() == 2; }, 5s));
        int port = ts.server().port();
        std::vector<std::future<HttpReply>> clients;
        for (int c = 0; c < 4; ++c) {
            clients.push_back(std::async(std::launch::async, [port] {
                HttpReply last;
                for (int i = 0; i < 10; ++i) last = http_get(port, i % 2 ? "/io?ms=5" : "/");
                return last;
            }));
        }
        for (auto& c : clients) CHECK(c.get().status == 200);
        ts.stop();
        const Recording& rec = ts.recording();
        CHECK(rec.dropped() == 0);

        // Each connection: accept < read < parse < handle < write < close, and exactly one request.
        std::size_t connections = 0;
        for (std::uint64_t conn : rec.conns()) {
            std::vector<Event> evs;
            for (std::uint32_t i : *rec.by_conn(conn)) evs.push_back(rec[i]);
            if (first_index(evs, EventKind::Accepted) < 0) continue;
            ++connections;
            INFO("connection " << std::hex << conn);
            long accepted = first_index(evs, EventKind::Accepted);
            long read = first_index(evs, EventKind::ReadStart);
            long parsed = first_index(evs, EventKind::Parsed);
            long handled = first_index(evs, EventKind::HandlerStart);
            long handler_end = first_index(evs, EventKind::HandlerEnd);
            long written = first_index(evs, EventKind::WriteDone);
            long closed = first_index(evs, EventKind::Close);
            CHECK(accepted < read);
            CHECK(read < parsed);
            CHECK(parsed < handled);
            CHECK(handled < handler_end);
            CHECK(handler_end < written);
            CHECK(written < closed);
            CHECK(std::count_if(evs.begin(), evs.end(), [](const Event& e) { return e.kind == EventKind::Parsed; }) == 1);
            // One worker owns the connection from accept to close.
            CHECK(std::all_of(evs.begin(), evs.end(), [&](const Event& e) { return e.pid == evs.front().pid; }));
        }
        CHECK(connections == 40);

        // No two requests overlap within one worker: accept..close intervals are disjoint per pid.
        std::map<pid_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> spans;
        for (std::uint64_t conn : rec.conns()) {
            const auto& idx = *rec.by_conn(conn);
            const Event& first = rec[idx.front()];
            const Event& last = rec[idx.back()];
            if (first.kind == EventKind::Accepted && last.kind == EventKind::Close) {
                spans[first.pid].emplace_back(first.t_ns, last.t_ns);
            }
        }
        CHECK(spans.size() == 2);  // both workers served

        // The same recording, exported for Perfetto, obeys its import rules.
        std::vector<std::string> problems = minicorn::trace::check_trace_json(minicorn::trace::export_chrome_json(rec));
        INFO((problems.empty() ? std::string() : problems.front()));
        CHECK(problems.empty());
        for (auto& [pid, list] : spans) {
            std::sort(list.begin(), list.end());
            for (std::size_t i = 1; i < list.size(); ++i) CHECK(list[i - 1].second <= list[i].first);
        }
    }
}

TEST_CASE("the thundering herd: one connection wakes both idle sync workers, one accepts, one gets EAGAIN",
          "[process][trace]") {
    // Both workers sleep in select() on the same listening socket; a connection
    // wakes both. Free-running, the loser's select() often never returns to user
    // space: if the winner's accept() empties the queue before the loser re-polls,
    // the kernel puts the loser back to sleep unseen (seen here in 5–35 % of
    // connections on an idle machine, never under load). With the gate closed the
    // winner cannot accept before the loser re-polls — as a learner stepping
    // through it sees — so the herd shows every time.
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2"}, [](minicorn::trace::GateControl& gate) { gate.set_gated_mode(true); });
        auto both_waiting = [](const Recording& r) {
            std::set<pid_t> waiting;
            for (const Event& e : events_of(r, EventKind::SelectWait)) waiting.insert(e.pid);
            return waiting.size() == 2;
        };
        REQUIRE(ts.wait_until(both_waiting, 5s));
        ::usleep(50'000);
        ts.gate().close();
        std::uint64_t before = minicorn::trace::now_ns();
        int port = ts.server().port();
        auto client = std::async(std::launch::async, [port] { return http_get(port, "/"); });

        auto woken_since = [before](const Recording& r) {
            std::set<pid_t> woken;
            for (std::size_t i = r.lower_bound(before); i < r.size(); ++i) {
                if (r[i].kind == EventKind::SelectWake && r[i].a0 > 0) woken.insert(r[i].pid);
            }
            return woken;
        };
        // Both wake and stop at their next decision point: the accept attempt.
        CHECK(ts.wait_until([&](const Recording& r) { return woken_since(r).size() == 2; }, 5s));
        CHECK(count_of(ts.recording(), EventKind::Accepted) == 0);

        ts.gate().open();
        CHECK(client.get().status == 200);
        ::usleep(100'000);
        ts.stop();
        const Recording& rec = ts.recording();
        std::map<pid_t, EventKind> outcome;  // each woken worker's first accept result
        for (std::size_t i = rec.lower_bound(before); i < rec.size(); ++i) {
            const Event& e = rec[i];
            if ((e.kind == EventKind::Accepted || e.kind == EventKind::AcceptEagain) && !outcome.count(e.pid)) {
                outcome[e.pid] = e.kind;
            }
        }
        REQUIRE(outcome.size() == 2);
        int accepted = 0;
        int eagain = 0;
        for (auto [pid, kind] : outcome) (kind == EventKind::Accepted ? accepted : eagain)++;
        CHECK(accepted == 1);
        CHECK(eagain == 1);
    }
}

TEST_CASE("kill -9 of a worker shows as that worker reaped and a new one booted", "[process][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_workers(r).size() == 2; }, 5s));
        pid_t victim = booted_workers(ts.recording()).front();
        ::kill(victim, SIGKILL);
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_workers(r).size() == 3; }, 5s));
        ts.stop();
        const Recording& rec = ts.recording();
        auto reaped = events_of(rec, EventKind::WorkerReaped);
        auto it = std::find_if(reaped.begin(), reaped.end(), [&](const Event& e) { return e.a0 == victim; });
        REQUIRE(it != reaped.end());
        CHECK(it->a1 == -SIGKILL);
        pid_t replacement = booted_workers(rec)[2];
        auto spawns = events_of(rec, EventKind::WorkerSpawn);
        auto spawn = std::find_if(spawns.begin(), spawns.end(), [&](const Event& e) { return e.a0 == replacement; });
        REQUIRE(spawn != spawns.end());
        CHECK(spawn->t_ns > it->t_ns);

        // The World, just after the replacement booted: the victim is gone
        // (killed by signal 9), the new worker is up, two workers in all.
        minicorn::trace::TraceModel model(rec, 64);
        model.update();
        auto boots = events_of(rec, EventKind::WorkerBooted, replacement);
        REQUIRE(boots.size() == 1);
        minicorn::trace::World w = model.world_at(boots.front().t_ns);
        const minicorn::trace::Process* gone = w.process(victim);
        REQUIRE(gone != nullptr);
        CHECK(gone->state == minicorn::trace::ProcessState::Gone);
        CHECK(std::any_of(w.gone.begin(), w.gone.end(), [&](const auto& p) { return p.pid == victim; }));
        const minicorn::trace::Process* fresh = w.process(replacement);
        REQUIRE(fresh != nullptr);
        CHECK(fresh->state != minicorn::trace::ProcessState::Gone);
        CHECK(w.workers().size() == 2);
    }
}

TEST_CASE("a WORKER TIMEOUT shows as timeout, SIGABRT, exit, reap and respawn", "[process][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-t", "2"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_workers(r).size() == 1; }, 5s));
        pid_t worker = booted_workers(ts.recording()).front();
        HttpReply r = http_get(ts.server().port(), "/hang", 10s);
        CHECK_FALSE(r.got_response);
        REQUIRE(ts.wait_until([](const Recording& rr) { return booted_workers(rr).size() == 2; }, 5s));
        ts.stop();
        const Recording& rec = ts.recording();
        std::vector<EventKind> story;
        for (const Event& e : rec.events()) {
            bool about_worker = (e.pid == worker && e.kind == EventKind::WorkerExit) ||
                                ((e.kind == EventKind::WorkerTimeout || e.kind == EventKind::KillSent ||
                                  e.kind == EventKind::WorkerReaped) && e.a0 == worker) ||
                                (e.kind == EventKind::WorkerSpawn && e.a0 != worker && !story.empty());
            if (about_worker && story.size() < 5) story.push_back(e.kind);
        }
        CHECK(story == std::vector<EventKind>{EventKind::WorkerTimeout, EventKind::KillSent, EventKind::WorkerExit,
                                              EventKind::WorkerReaped, EventKind::WorkerSpawn});
        auto kills = events_of(rec, EventKind::KillSent);
        CHECK(std::any_of(kills.begin(), kills.end(), [&](const Event& e) { return e.a0 == worker && e.a1 == SIGABRT; }));
        auto exits = events_of(rec, EventKind::WorkerExit, worker);
        REQUIRE(exits.size() == 1);
        CHECK(exits.front().a0 == 1);

        // The same story in the World: timed out, then gone, then replaced.
        minicorn::trace::TraceModel model(rec, 64);
        model.update();
        auto timeouts = events_of(rec, EventKind::WorkerTimeout);
        REQUIRE(!timeouts.empty());
        minicorn::trace::World at_timeout = model.world_at(timeouts.front().t_ns);
        REQUIRE(at_timeout.process(worker) != nullptr);
        CHECK(at_timeout.process(worker)->state == minicorn::trace::ProcessState::TimedOut);
        minicorn::trace::World after = model.latest();
        REQUIRE(after.process(worker) != nullptr);
        CHECK(after.process(worker)->state == minicorn::trace::ProcessState::Gone);
        CHECK(booted_workers(rec).size() == 2);
    }
}

TEST_CASE("with the gate closed, N steps let exactly N decision points through and nobody times out",
          "[process][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "2", "-t", "2"}, [](minicorn::trace::GateControl& gate) {
            gate.set_gated_mode(true);
            gate.close();
        });
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_workers(r).size() == 2; }, 5s));
        auto gated_count = [](const Recording& r) {
            return std::count_if(r.events().begin(), r.events().end(),
                                 [](const Event& e) { return minicorn::trace::is_gated(e.kind); });
        };
        // Let things settle: both workers stopped at their first decision point.
        ::usleep(300'000);
        ts.drain();
        ::usleep(100'000);
        ts.flush();
        auto before = gated_count(ts.recording());
        for (int n : {1, 3, 5}) {
            std::uint64_t passed = ts.gate().passed();
            ts.gate().step(n);
            REQUIRE(ts.wait_until([&](const Recording&) { return ts.gate().passed() >= passed + static_cast<std::uint64_t>(n); }, 5s));
            ::usleep(100'000);
            ts.flush();
            auto now = gated_count(ts.recording());
            CHECK(now - before == n);
            before = now;
        }
        // Longer than --timeout with the gate closed: engine time stands still.
        ::usleep(3'500'000);
        ts.flush();
        CHECK(count_of(ts.recording(), EventKind::WorkerTimeout) == 0);
        CHECK(ts.server().count_in_log("WORKER TIMEOUT") == 0);
        CHECK(ts.server().worker_pids().size() == 2);
        ts.stop();
    }
}
