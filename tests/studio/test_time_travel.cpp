// tests/studio/test_time_travel.cpp — [studio] time travel: where a step
// lands (panels/stepping.h), and the real studio scrubbing and stepping
// through an opened recording and a live engine (--then back:N, scrub:F, …),
// checked against the World folded from the start.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "app/studio/panels/stepping.h"
#include "app/studio/synthetic.h"
#include "engine/trace/kinds.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"
#include "tests/studio/studio_runner.h"
#include "tests/support/leak_check.h"

using namespace minicorn::testing;
using minicorn::studio::step_from;
using minicorn::studio::StepBy;
using minicorn::studio::StepDirection;
using minicorn::trace::Recording;
using minicorn::trace::TraceModel;
using minicorn::trace::World;

namespace {

Recording small_recording() {
    minicorn::studio::SyntheticShape shape;
    shape.events = 20'000;
    shape.connections = 40;
    shape.workers = 2;
    return minicorn::studio::synthetic_recording(shape);
}

nlohmann::json replay_shot(const std::string& rec_path, const std::string& then) {
    const std::string png = "/tmp/minicorn-tt-" + std::to_string(::getpid()) + ".png";
    const std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                            std::string(MINICORN_STUDIO_BIN) + " " + rec_path + " --screenshot " + png + " --frames 3 " + then;
    return shoot(cmd, png);
}

World folded(const Recording& rec, std::size_t n) { return TraceModel::fold(rec.events().first(n)); }

}  // namespace

TEST_CASE("a step by one event moves one event, and stops at either end", "[studio][time]") {
    const Recording rec = small_recording();
    CHECK(step_from(rec, 100, StepBy::Event, StepDirection::Back, 0) == 99u);
    CHECK(step_from(rec, 100, StepBy::Event, StepDirection::Forward, 0) == 101u);
    CHECK_FALSE(step_from(rec, 0, StepBy::Event, StepDirection::Back, 0));
    CHECK_FALSE(step_from(rec, rec.size(), StepBy::Event, StepDirection::Forward, 0));
}

TEST_CASE("a step by the request's event lands on that connection's next or previous event", "[studio][time]") {
    const Recording rec = small_recording();
    const std::size_t here = 10'000;
    std::uint64_t conn = 0;
    for (std::size_t i = here; i-- > 0 && !conn;) conn = rec[i].conn;
    REQUIRE(conn != 0);
    auto fwd = step_from(rec, here, StepBy::RequestEvent, StepDirection::Forward, conn);
    REQUIRE(fwd);
    CHECK(rec[*fwd - 1].conn == conn);
    for (std::size_t i = here; i < *fwd - 1; ++i) CHECK(rec[i].conn != conn);  // none skipped
    auto back = step_from(rec, *fwd, StepBy::RequestEvent, StepDirection::Back, conn);
    REQUIRE(back);
    CHECK(*back <= here);
    CHECK(rec[*back - 1].conn == conn);
    CHECK_FALSE(step_from(rec, here, StepBy::RequestEvent, StepDirection::Forward, 0));  // nobody followed
}

TEST_CASE("a step by a moment skips to the next state change of a process", "[studio][time]") {
    const Recording rec = small_recording();
    const std::size_t here = 5'000;
    auto fwd = step_from(rec, here, StepBy::Moment, StepDirection::Forward, 0);
    REQUIRE(fwd);
    CHECK(minicorn::studio::is_moment(rec[*fwd - 1].kind));
    for (std::size_t i = here; i < *fwd - 1; ++i) CHECK_FALSE(minicorn::studio::is_moment(rec[i].kind));
    auto back = step_from(rec, here, StepBy::Moment, StepDirection::Back, 0);
    REQUIRE(back);
    CHECK(*back < here);
    CHECK(minicorn::studio::is_moment(rec[*back - 1].kind));
    CHECK_FALSE(minicorn::studio::is_moment(minicorn::trace::EventKind::Heartbeat));
    CHECK_FALSE(minicorn::studio::is_moment(minicorn::trace::EventKind::GreenSwitch));
    CHECK(minicorn::studio::is_moment(minicorn::trace::EventKind::HandlerStart));
    CHECK(minicorn::studio::is_moment(minicorn::trace::EventKind::WorkerReaped));
}

TEST_CASE("the studio steps back and forth through an opened recording, and scrubs to the World folded there",
          "[studio][process][time]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const Recording rec = small_recording();
    const std::string path = "/tmp/minicorn-tt-" + std::to_string(::getpid()) + ".rec";
    std::string error;
    REQUIRE(rec.save(path, &error));
    const std::size_t n = rec.size();

    SECTION("back 50 events") {
        nlohmann::json t = replay_shot(path, "--then back:50")["time"];
        CHECK(t["live"] == false);
        CHECK(t["position"] == n - 50);
        CHECK(t["connections"] == folded(rec, n - 50).connections.size());
    }
    SECTION("back 50 and forward 50: where it started, the end of the recording") {
        nlohmann::json sidecar = replay_shot(path, "--then back:50 --then forward:50");
        CHECK(sidecar["time"]["live"] == true);
        CHECK(sidecar["time"]["position"] == n);
        CHECK(sidecar["time"]["connections"] == folded(rec, n).connections.size());
        CHECK(sidecar["layout"]["faults"].empty());
    }
    SECTION("scrub to the middle: the World there is the World folded up to that instant") {
        nlohmann::json sidecar = replay_shot(path, "--then scrub:0.5");
        nlohmann::json t = sidecar["time"];
        const std::uint64_t mid = rec.first_time() + (rec.last_time() - rec.first_time()) / 2;
        const std::size_t at = rec.lower_bound(mid + 1);
        CHECK(t["live"] == false);
        CHECK(t["position"] == at);
        CHECK(t["now_ns"] == mid);
        const World expected = folded(rec, at);
        CHECK(t["connections"] == expected.connections.size());
        REQUIRE(t["workers"].size() == expected.workers().size());
        for (std::size_t i = 0; i < expected.workers().size(); ++i) {
            CHECK(t["workers"][i]["state"] == std::string(minicorn::trace::to_string(expected.workers()[i]->state)));
        }
        CHECK(sidecar["layout"]["faults"].empty());
    }
    SECTION("a moment back lands on a state change") {
        nlohmann::json t = replay_shot(path, "--then moment-back")["time"];
        const std::size_t at = t["position"].get<std::size_t>();
        REQUIRE(at >= 1);
        CHECK(at < n);
        CHECK(minicorn::studio::is_moment(rec[at - 1].kind));
    }
    std::filesystem::remove(path);
}

TEST_CASE("looking back at a live engine: it keeps recording, and back to live follows it again",
          "[studio][process][time]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = "/tmp/minicorn-tt-live-" + std::to_string(::getpid()) + ".png";
    auto shot = [&](const std::string& then) {
        return shoot("ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                         std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png + " --frames 20 -k sync -w 2 -c 4 " + then,
                     png);
    };
    nlohmann::json back = shot("--then back:20");
    CHECK(back["time"]["live"] == false);
    // The frames after the step kept recording: the recording is well past the instant shown.
    CHECK(back["time"]["events"].get<std::size_t>() > back["time"]["position"].get<std::size_t>() + 20);
    CHECK(back["layout"]["faults"].empty());
    nlohmann::json again = shot("--then back:20 --then live");
    CHECK(again["time"]["live"] == true);
    CHECK(again["time"]["position"] == again["time"]["events"]);
}
