// The recording `serve --trace FILE.rec` writes to disk while it collects
// (engine/trace/recording_file.h): the same MCREC001 file Recording::load reads.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "engine/trace/ev.h"
#include "engine/trace/recording.h"
#include "engine/trace/recording_file.h"
#include "tests/support/leak_check.h"
#include "tests/support/local_trace.h"
#include "tests/support/server_process.h"
#include "tests/support/trace_script.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;
using minicorn::trace::RecordingFile;
using minicorn::testing::trace_script::Script;
namespace ev = minicorn::trace::ev;

namespace {

std::string temp_path(const char* name) {
    return "/tmp/minicorn-test-" + std::to_string(::getpid()) + "-" + name;
}

}  // namespace

TEST_CASE("a RecordingFile appended in pieces loads back as the same events, header count filled in", "[trace]") {
    const std::string path = temp_path("pieces.rec");
    RecordingFile file;
    std::string error;
    REQUIRE(file.open(path, &error));
    Script s;
    s.add(1, 7, ev::Accepted{});
    s.add(2, 8, ev::ReadStart{});
    s.add(3, 7, ev::Close{});
    const std::span<const Event> all(s.events);
    file.append(all.first(2));
    file.append({});
    file.append(all.subspan(2));
    CHECK(file.last_time() == s.events.back().t_ns);
    CHECK(file.size() == 3);
    CHECK(file.process_count() == 2);
    REQUIRE(file.finish(&error));
    std::optional<Recording> rec = Recording::load(path, &error);
    INFO(error);
    REQUIRE(rec.has_value());
    REQUIRE(rec->size() == 3);
    CHECK((*rec)[0].kind == EventKind::Accepted);
    CHECK((*rec)[1].pid == 8);
    CHECK((*rec)[2].t_ns == s.events.back().t_ns);
    std::remove(path.c_str());
}

TEST_CASE("serve --trace FILE.rec writes a recording that loads whole and in time order", "[process][trace]") {
    LeakCheck leaks;
    const std::string path = temp_path("serve.rec");
    {
        auto server = ServerProcess::start({"-w", "2", "-k", "gevent", "--trace", path});
        const int port = server->port();
        REQUIRE(port > 0);
        for (int i = 0; i < 20; ++i) CHECK(http_get(port, "/").status == 200);
        server->signal(SIGTERM);
        REQUIRE(server->wait_exit(20s) == 0);
        CHECK(server->wait_for_log("minicorn: trace: ", 5s));  // the reader thread may lag the exit
    }
    std::string error;
    std::optional<Recording> rec = Recording::load(path, &error);  // rejects events out of time order
    INFO(error);
    REQUIRE(rec.has_value());
    std::size_t parsed = 0;
    for (const Event& e : rec->events()) {
        CHECK(e.kind != EventKind::None);
        if (e.kind == EventKind::Parsed) ++parsed;
    }
    CHECK(parsed >= 20);
    CHECK(rec->pids().size() >= 3);  // the master and two workers
    std::remove(path.c_str());
}

TEST_CASE("events lost to a full ring are counted: Recording::dropped, and the .rec file's header", "[trace]") {
    constexpr std::uint32_t kRing = 64;
    constexpr int kEmitted = 200;  // into one ring nobody drains: all but kRing are lost
    LocalTrace trace(kRing);
    for (int i = 0; i < kEmitted; ++i) minicorn::trace::ev::Heartbeat{.engine_ms = i}.emit();
    Recording rec = trace.collect();
    CHECK(rec.size() >= kRing);  // the ring's events, and the collector's own
    CHECK(rec.dropped() == kEmitted - kRing);

    // The same count survives a trip through the file `serve --trace X.rec` writes.
    const std::string path = temp_path("drops.rec");
    RecordingFile file;
    std::string error;
    REQUIRE(file.open(path, &error));
    file.append(rec.events());
    CHECK(file.dropped() == kEmitted - kRing);
    REQUIRE(file.finish(&error));
    std::optional<Recording> loaded = Recording::load(path, &error);
    INFO(error);
    REQUIRE(loaded.has_value());
    CHECK(loaded->dropped() == kEmitted - kRing);
    std::remove(path.c_str());
}
