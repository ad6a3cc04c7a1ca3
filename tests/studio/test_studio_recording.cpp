// tests/studio/test_studio_recording.cpp — opening a recording in the studio
// (`minicorn-studio FILE.rec`): a good one is replayed whole with no engine; a
// recording from another version, truncated or corrupt is refused with a
// message that says which, exit status 1 and no crash signal. And `--save`
// writes what the live studio recorded.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "app/studio/synthetic.h"
#include "engine/trace/recording.h"
#include "tests/studio/studio_runner.h"
#include "tests/support/leak_check.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::Recording;

namespace {

std::string temp_name(const std::string& what) {
    return "/tmp/minicorn-studio-rec-" + std::to_string(::getpid()) + "-" + what;
}

// A small busy gevent recording (synthetic.h): 2 workers, 40 connections.
Recording small_recording() {
    minicorn::studio::SyntheticShape shape;
    shape.events = 20'000;
    shape.connections = 40;
    shape.workers = 2;
    return minicorn::studio::synthetic_recording(shape);
}

std::string studio_cmd(const std::string& args) {
    return "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
           std::string(MINICORN_STUDIO_BIN) + " " + args;
}

// Rewrites `bytes` bytes at `offset` of the file.
void patch(const std::string& path, std::size_t offset, const void* bytes, std::size_t n) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

constexpr std::size_t kHeader = 24;  // "MCREC001", u64 count, u64 dropped

}  // namespace

TEST_CASE("the studio replays a recording file: every event, no engine, nothing overlapping", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string rec_path = temp_name("good.rec");
    std::string error;
    const Recording rec = small_recording();
    REQUIRE(rec.save(rec_path, &error));
    const std::string png = temp_name("good.png");
    nlohmann::json sidecar = shoot(studio_cmd(rec_path + " --screenshot " + png + " --frames 5"), png);
    CHECK(sidecar["engine"] == "replay");
    CHECK(sidecar["events"] == rec.size());
    CHECK(sidecar["workers"] == 2);
    CHECK(sidecar["layout"]["faults"].empty());
    bool named = false;  // the status bar names the file
    for (const auto& t : sidecar["layout"]["texts"]) {
        if (t["text"].get<std::string>().find("good.rec") != std::string::npos) named = true;
    }
    CHECK(named);
    std::filesystem::remove(rec_path);
}

TEST_CASE("a recording from another version, truncated or corrupt is refused with a message, exit 1, no crash",
          "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string path = temp_name("bad.rec");
    std::string error;
    auto fresh = [&] { REQUIRE(small_recording().save(path, &error)); };
    auto refused = [&](const std::string& expected) {
        const std::string png = temp_name("bad.png");
        const std::string out = run(studio_cmd(path + " --screenshot " + png + " --frames 5"));
        INFO(out);
        CHECK(out.find("[exit 1]") != std::string::npos);  // not 0, and not a signal (run() says -1 for those)
        CHECK(out.find(expected) != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(png));
        settle_children();
    };

    SECTION("another version of the format") {
        fresh();
        patch(path, 0, "MCREC002", 8);
        refused("was made by another version of minicorn: its format is MCREC002");
    }
    SECTION("truncated: the last events missing") {
        fresh();
        std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1000);
        const std::size_t n = small_recording().size();
        refused("is truncated: its header promises " + std::to_string(n) + " events, the file holds " +
                std::to_string(n - 16));  // 1000 bytes: the last 15 events and part of one more
    }
    SECTION("truncated inside the header") {
        fresh();
        std::filesystem::resize_file(path, 12);
        refused("is truncated: it ends inside its header");
    }
    SECTION("an event of a kind this minicorn does not know") {
        fresh();
        const std::uint16_t alien = 60'000;
        patch(path, kHeader + 7 * sizeof(Event) + offsetof(Event, kind), &alien, sizeof alien);
        refused("event #7 has kind 60000, which this minicorn does not know");
    }
    SECTION("events out of time order") {
        fresh();
        const std::uint64_t late = ~std::uint64_t{0} >> 1;
        patch(path, kHeader + 100 * sizeof(Event) + offsetof(Event, t_ns), &late, sizeof late);
        refused("is corrupt: events out of time order at #101");
    }
    SECTION("a Perfetto JSON trace") {
        std::ofstream(path) << "{\"traceEvents\":[]}\n";
        refused("is a JSON trace (for ui.perfetto.dev), not a minicorn recording");
    }
    SECTION("no such file") {
        std::filesystem::remove(path);
        refused("cannot open");
    }
    std::filesystem::remove(path);
}

TEST_CASE("--save writes the live session's recording on exit, and it opens again", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string rec_path = temp_name("saved.rec");
    const std::string png = temp_name("live.png");
    nlohmann::json live = shoot(studio_cmd("--screenshot " + png + " --frames 10 --save " + rec_path + " -k gthread -w 1 -c 4"), png);
    std::string error;
    std::optional<Recording> saved = Recording::load(rec_path, &error);
    INFO(error);
    REQUIRE(saved.has_value());
    CHECK(saved->size() >= live["events"].get<std::size_t>());  // and what came while the engine stopped
    const std::string png2 = temp_name("reopened.png");
    nlohmann::json reopened = shoot(studio_cmd(rec_path + " --screenshot " + png2 + " --frames 3"), png2);
    CHECK(reopened["engine"] == "replay");
    CHECK(reopened["events"] == saved->size());
    std::filesystem::remove(rec_path);
}
