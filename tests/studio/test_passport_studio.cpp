// tests/studio/test_passport_studio.cpp — [studio] the Passport panel on the
// real studio and engine: a request selected by its number (--then
// select:ID, as typing it in the panel does) shows its whole life, the
// latency stages summing to the client's latency, the view moved to where
// most of its time went, its token outlined — under gevent and gthread — and
// nothing on screen cut off or drawn over text.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <cmath>
#include <string>

#include "tests/studio/studio_runner.h"
#include "tests/support/leak_check.h"

using namespace minicorn::testing;

namespace {

nlohmann::json passport_shot(const std::string& scenario) {
    const std::string png = "/tmp/minicorn-passport-" + std::to_string(::getpid()) + ".png";
    const std::string keep = std::getenv("MINICORN_KEEP_SHOTS") ? std::getenv("MINICORN_KEEP_SHOTS") : "";
    const std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                            std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png + " --frames 20 " + scenario +
                            " --then wait:1.5 --then select:12" + (keep.empty() ? "" : " && cp " + png + " " + keep);
    return shoot(cmd, png);
}

bool has_stage(const nlohmann::json& stages, const std::string& name) {
    for (const auto& s : stages) {
        if (s["stage"] == name) return true;
    }
    return false;
}

void check_passport(const nlohmann::json& sidecar) {
    INFO(sidecar["passport"].dump(1));
    const nlohmann::json& p = sidecar["passport"];
    REQUIRE(p.contains("stages"));
    CHECK(p["request"].get<std::string>().rfind("#12", 0) == 0);
    CHECK(p["status"] == 200);
    CHECK(std::fabs(p["latency_sum_ms"].get<double>() - p["latency_ms"].get<double>()) < 0.001);
    for (const char* stage : {"read", "parsed", "handler", "write"}) CHECK(has_stage(p["stages"], stage));
    CHECK(sidecar["time"]["live"] == false);  // typed in: the view went to its longest stage
    bool tab = false;
    for (const auto& panel : sidecar["panels"]) tab |= panel["name"] == "Passport";
    CHECK(tab);
    CHECK(sidecar["layout"]["faults"].empty());
}

}  // namespace

TEST_CASE("the Passport panel shows a request selected by its number, under gevent", "[studio][process][passport]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const nlohmann::json sidecar = passport_shot("-k gevent -w 2 -c 8 --mix '/io?ms=40:1,/cpu?ms=20:1'");
    check_passport(sidecar);
}

TEST_CASE("the Passport panel shows a request selected by its number, under gthread: the wait for a pool thread "
          "and its reason",
          "[studio][process][passport]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const nlohmann::json sidecar =
        passport_shot("-k gthread -w 1 --threads 2 -c 8 --mix '/io?ms=40:1,/cpu?ms=20:1'");
    check_passport(sidecar);
    const nlohmann::json& stages = sidecar["passport"]["stages"];
    CHECK(has_stage(stages, "queued for a pool thread"));
    // Eight users on two threads: #12 waited for a thread, and the panel says who held them.
    bool explained = false;
    for (const auto& s : stages) {
        if (s["stage"] == "queued for a pool thread" && s["ms"].get<double>() >= 5.0) {
            explained |= s["reason"].get<std::string>().find("threads were busy — thread") != std::string::npos;
        }
    }
    CHECK(explained);
}
