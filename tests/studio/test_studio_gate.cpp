// tests/studio/test_studio_gate.cpp — the step gate as a learner uses it, in
// the real studio under Xvfb with `--then` scripts: a long pause changes
// nothing (the client does not time out), stepping walks one sync request
// select → accept → read → handle → write → close with the stage strip and
// the text in agreement, and "step this worker" moves one gthread worker's
// requests through its pool threads while the other worker stays frozen.
//
// `--then snapshot` records, into the sidecar, what the screen says about the
// gate and each worker (app/studio/gate_script.h); the tests read those.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/leak_check.h"
#include "tests/studio/studio_runner.h"

using namespace minicorn::testing;
using nlohmann::json;

namespace {

std::string then_steps(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += " --then step --then snapshot";
    return s;
}

// Words the text must use for each phase the strip lights.
bool text_names_phase(const std::string& phase, const std::string& text) {
    auto has = [&](const char* w) { return text.find(w) != std::string::npos; };
    if (phase == "select") return has("select");
    if (phase == "accept") return has("accept");
    if (phase == "read") return has("read") || has("request");
    if (phase == "handle") return has("app");
    if (phase == "write") return has("wrote") || has("writing") || has("response");
    if (phase == "close") return has("closed");
    return false;
}

// Runs the studio with `args` at 1600x1000 under Xvfb; the sidecar's
// snapshots (null if the run failed).
json run_snapshots(const char* name, const std::string& args, std::string* output) {
    const std::string png = "/tmp/minicorn-gate-" + std::string(name) + "-" + std::to_string(::getpid()) + ".png";
    const std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                            std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png + " --frames 10 " + args;
    *output = cmd + "\n" + run(cmd);
    json side;
    if (std::ifstream file(png + ".json"); file && output->find("[exit 0]") != std::string::npos) {
        side = json::parse(file, nullptr, /*allow_exceptions=*/false);
    }
    ::unlink(png.c_str());
    ::unlink((png + ".json").c_str());
    return side.is_object() ? side["snapshots"] : json();
}

}  // namespace

TEST_CASE("paused for longer than the client's timeout nothing changes; then steps walk one sync request "
          "select, accept, read, handle, write, close with the strip and the text agreeing",
          "[studio][process][gate]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    std::string output;
    // A 2 s client timeout and a 10 s pause stand in for the 5 minutes
    // against the default 30 s timeout (one such run by hand: see the report).
    const json snaps = run_snapshots("sync",
                                     "-k sync -w 1 -c 1 --client-timeout 2 --mix /io?ms=50 --then pause "
                                     "--then snapshot --then wait:10 --then snapshot" + then_steps(40),
                                     &output);
    INFO(output);
    REQUIRE(snaps.size() == 42);

    // 1. The pause: ten seconds, and not one thing moved.
    const json& before = snaps[0];
    const json& after = snaps[1];
    CHECK(before["paused"] == true);
    CHECK(after["events_that_move"] == before["events_that_move"]);  // the arbiter's queue samples go on
    CHECK(after["workers"][0]["events"] == before["workers"][0]["events"]);
    CHECK(after["workers"][0]["text"] == before["workers"][0]["text"]);
    CHECK(after["workers"][0]["silence_engine_ms"] == before["workers"][0]["silence_engine_ms"]);
    CHECK(after["workers"][0]["silence_wall_ms"].get<long>() > 9000);  // the wall clock did move
    CHECK(after["client"] == before["client"]);
    CHECK(after["client"]["timeouts"] == 0);

    // 2. The steps: each snapshot's strip and text agree, and one request goes round the loop.
    std::vector<std::string> phases;
    for (std::size_t i = 2; i < snaps.size(); ++i) {
        const json& wk = snaps[i]["workers"][0];
        const std::string phase = wk["phase_name"];
        const std::string text = wk["text"];
        INFO("step " << i - 1 << ": " << phase << (wk["done"].get<bool>() ? " (done)" : "") << " — " << text);
        CHECK(snaps[i]["paused"] == true);
        if (phase.empty()) continue;
        CHECK(text_names_phase(phase, text));
        CHECK((text.find("next:") != std::string::npos) == wk["done"].get<bool>());
        if (phases.empty() || phases.back() != phase) phases.push_back(phase);
    }
    // The client takes steps too, and reconnects at once when it is quick (then
    // accept succeeds without a select before it): look for one whole round.
    const std::vector<std::string> loop{"select", "accept", "read", "handle", "write", "close"};
    std::size_t at = 0;
    for (const std::string& p : phases) {
        if (at < loop.size() && p == loop[at]) ++at;
        else if (at < loop.size() && p == "select") at = 1;  // a later select starts the round again
    }
    INFO("phases seen in order: " << json(phases).dump());
    CHECK(at == loop.size());
    CHECK(snaps.back()["client"]["timeouts"] == 0);
    CHECK(snaps.back()["client"]["errors"] == 0);
    settle_children();
}

TEST_CASE("'step this worker' moves that gthread worker's requests through its pool threads while the other "
          "worker stays frozen",
          "[studio][process][gate]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    std::string output;
    const json snaps = run_snapshots("gthread",
                                     "-k gthread -w 2 --threads 4 -c 16 --mix /io?ms=50 --then pause --then wait:1 "
                                     "--then step-worker:busiest --then snapshot" + then_steps(12),
                                     &output);
    INFO(output);
    REQUIRE(snaps.size() == 13);
    const long target = snaps[0]["target"]["pid"];
    REQUIRE(target != 0);
    REQUIRE(snaps[0]["workers"].size() == 2);
    const std::size_t stepped = snaps[0]["workers"][0]["pid"] == target ? 0 : 1;
    const std::size_t frozen = 1 - stepped;

    std::set<std::string> pool_steps;  // what the stepped worker's pool threads did
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        const json& s = snaps[i];
        CHECK(s["workers"][frozen]["events"] == snaps[0]["workers"][frozen]["events"]);
        CHECK(s["workers"][frozen]["gil_holder"] == 0);  // waiting at the gate without the GIL
        CHECK(s["workers"][stepped]["gil_holder"] == 0);
        if (i > 0) CHECK(s["last_step"]["pid"].get<long>() == target);
        for (const json& th : s["workers"][stepped]["threads"]) {
            if (th["role"] == 1) pool_steps.insert(th["last"].get<std::string>());
        }
    }
    CHECK(snaps.back()["workers"][stepped]["events"].get<long>() > snaps[0]["workers"][stepped]["events"].get<long>());
    CHECK(snaps.back()["workers"][stepped]["gated_events"].get<long>() ==
          snaps[0]["workers"][stepped]["gated_events"].get<long>() + 12);
    CHECK((pool_steps.count("HandlerStart") + pool_steps.count("HandlerEnd")) > 0);
    CHECK((pool_steps.count("WriteDone") + pool_steps.count("ReadStart") + pool_steps.count("Parsed")) > 0);
    CHECK(snaps.back()["note"].get<std::string>().find("steps go to worker") != std::string::npos);
    settle_children();
}
