// tests/studio/test_studio_layout.cpp — the real studio's screenshots, read
// through their sidecar's layout (draw/text_layout.h): for every model with
// 1, 3 and 8 workers and 16 users at 1600×1000, and at 1280×720 and at
// 2560×1600 with scale 2 (every model at each), no text is cut off, no two
// texts overlap and no token lies on a text, at rest or in flight.
//
// The Timeline is checked like every panel; the last test case here also
// checks that its texts are noted at all (lane labels, ruler, bars' words).
#include <catch2/catch.hpp>

#include <sys/prctl.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/studio/studio_runner.h"

using namespace minicorn::testing;

namespace {

struct Shot {
    std::string model;
    int workers;
    std::string size;   // WxH
    std::string scale;  // "1", "2"
};

// Runs the studio for `shot` and returns its sidecar.
nlohmann::json screenshot(const Shot& shot) {
    std::string png = "/tmp/minicorn-studio-layout-" + shot.model + "-" + std::to_string(shot.workers) + "-" + shot.size +
                      "-" + std::to_string(::getpid()) + ".png";
    std::string extra = shot.model == "gthread" ? " --threads 4" : "";
    std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 " + shot.size + "x24' " +
                      std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png + " --size " + shot.size + " --scale " +
                      shot.scale + " --frames 30 -k " + shot.model + " -w " + std::to_string(shot.workers) + extra +
                      " -c 16 --mix '/io?ms=50:50,/db?ms=20:20,/cpu?ms=10:20,/:10'";
    return shoot(cmd, png);
}

void check_layout(const nlohmann::json& sidecar) {
    const auto& layout = sidecar["layout"];
    REQUIRE(layout["texts"].size() > 40);
    std::string faults;
    std::size_t n = 0;
    for (const auto& f : layout["faults"]) {
        faults += f.get<std::string>() + "\n";
        ++n;
    }
    INFO(faults);
    CHECK(n == 0);
}

}  // namespace

TEST_CASE("studio screenshots of every model with 1 3 and 8 workers have no cut overlapping or covered text",
          "[studio][process][screenshots]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    auto model = GENERATE(as<std::string>{}, "sync", "gthread", "gevent", "eventlet", "tornado", "asyncio");
    auto workers = GENERATE(1, 3, 8);
    DYNAMIC_SECTION("-k " << model << " -w " << workers) {
        LeakCheck leaks;
        nlohmann::json sidecar = screenshot({model, workers, "1600x1000", "1"});
        CHECK(sidecar["width"] == 1600);
        check_layout(sidecar);
    }
}

TEST_CASE("studio screenshots at 1280x720 and at 2560x1600 scale 2 have no cut overlapping or covered text",
          "[studio][process][screenshots]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    auto [size, scale] = GENERATE(table<std::string, std::string>({{"1280x720", "1"}, {"2560x1600", "2"}}));
    auto model = GENERATE(as<std::string>{}, "sync", "gthread", "gevent", "eventlet", "tornado", "asyncio");
    DYNAMIC_SECTION(model << " at " << size << " scale " << scale) {
        LeakCheck leaks;
        nlohmann::json sidecar = screenshot({model, 3, size, scale});
        CHECK(sidecar["scale"].get<double>() == std::stod(scale));
        check_layout(sidecar);
    }
}

TEST_CASE("studio screenshots' Timeline at 1600x1000 and at 2560x1600 scale 2 has no cut or overlapping text",
          "[studio][process][screenshots]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    auto [size, scale] = GENERATE(table<std::string, std::string>({{"1600x1000", "1"}, {"2560x1600", "2"}}));
    auto [model, workers] = GENERATE(table<std::string, int>({{"gevent", 2}, {"gthread", 2}, {"sync", 1}}));
    DYNAMIC_SECTION(model << " -w " << workers << " at " << size << " scale " << scale) {
        LeakCheck leaks;
        nlohmann::json sidecar = screenshot({model, workers, size, scale});
        std::string faults;
        std::size_t timeline_texts = 0;
        for (const auto& t : sidecar["layout"]["texts"]) timeline_texts += t["panel"].get<std::string>().rfind("Timeline", 0) == 0;
        for (const auto& f : sidecar["layout"]["faults"]) {
            std::string s = f.get<std::string>();
            if (s.rfind("Timeline:", 0) == 0) faults += s + "\n";
        }
        INFO(faults);
        CHECK(faults.empty());
        CHECK(timeline_texts > 10);  // its lane labels, ruler and bars' words are all noted
    }
}
