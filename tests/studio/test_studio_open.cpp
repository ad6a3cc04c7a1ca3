// tests/studio/test_studio_open.cpp — File → Open reads a recording off the
// UI thread: the live studio goes on drawing frames while the file is read
// and folded, then shows the recording whole (its engine stopped); a file
// that cannot be read leaves the live session as it was, with the reason said.
#include <sys/prctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "app/studio/synthetic.h"
#include "engine/trace/recording.h"
#include "tests/studio/studio_runner.h"

using namespace minicorn;
using namespace minicorn::testing;

namespace {

std::string temp_name(const std::string& leaf) { return "/tmp/minicorn-open-" + std::to_string(::getpid()) + "-" + leaf; }

std::string studio_cmd(const std::string& args) {
    return "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
           std::string(MINICORN_STUDIO_BIN) + " " + args;
}

}  // namespace

TEST_CASE("File → Open reads a recording while the window keeps drawing, then shows all of it", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    studio::SyntheticShape shape;
    shape.events = 600'000;  // enough to take more than a frame to read and fold
    const trace::Recording rec = studio::synthetic_recording(shape);
    const std::string rec_path = temp_name("big.rec");
    std::string error;
    REQUIRE(rec.save(rec_path, &error));
    const std::string png = temp_name("opened.png");
    const std::string cmd = studio_cmd("--screenshot " + png + " --frames 3 -k sync -w 1 -c 2 --then open:" + rec_path);
    const std::string output = run(cmd);
    INFO(output);
    REQUIRE(output.find("[exit 0]") != std::string::npos);
    // Frames were drawn while it was read and folded: the window never froze.
    const std::string said = "opened " + rec_path + " while drawing ";
    const std::size_t at = output.find(said);
    REQUIRE(at != std::string::npos);
    CHECK(std::atoi(output.c_str() + at + said.size()) >= 2);
    std::ifstream in(png + ".json");
    REQUIRE(in);
    const nlohmann::json sidecar = nlohmann::json::parse(in);
    CHECK(sidecar["engine"] == "replay");
    CHECK(sidecar["events"].get<std::size_t>() == rec.size());
    CHECK(sidecar["workers"].get<std::size_t>() == static_cast<std::size_t>(shape.workers));
    for (const std::string& f : {rec_path, png, png + ".json"}) std::remove(f.c_str());
    settle_children();
}

TEST_CASE("File → Open of a damaged file keeps the live engine and says why", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string bad = temp_name("bad.rec");
    REQUIRE(std::system(("printf '{\"traceEvents\":[]}' > " + bad).c_str()) == 0);
    const std::string png = temp_name("kept.png");
    const std::string output = run(studio_cmd("--screenshot " + png + " --frames 3 -k sync -w 1 -c 2 --then open:" + bad));
    INFO(output);
    CHECK(output.find("is a JSON trace (for ui.perfetto.dev), not a minicorn recording") != std::string::npos);
    CHECK(output.find("[exit 0]") != std::string::npos);
    std::remove(bad.c_str());
    std::remove(png.c_str());
    std::remove((png + ".json").c_str());
    settle_children();
}
