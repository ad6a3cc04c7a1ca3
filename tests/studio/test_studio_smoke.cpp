// tests/studio/test_studio_smoke.cpp — the real minicorn-studio binary under
// Xvfb, for every worker class: it starts the engine and traffic, renders,
// saves a screenshot whose panels are all there and not blank, and leaves no
// process behind.
//
// The studio writes OUT.png.json beside the PNG: the panels it drew in the
// last frame and their rectangles. The test checks that list, then samples
// the PNG inside each rectangle.
#include <catch2/catch.hpp>

#include <stb_image.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

using namespace minicorn::testing;

namespace {

struct Image {
    int w = 0, h = 0;
    std::vector<unsigned char> rgb;
    std::uint32_t at(int x, int y) const {
        auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) * 3;
        return (std::uint32_t{rgb[i]} << 16) | (std::uint32_t{rgb[i + 1]} << 8) | rgb[i + 2];
    }
    // Distinct colours on a grid of `step` pixels inside [x0,x1)×[y0,y1).
    std::size_t colours(int x0, int y0, int x1, int y1, int step) const {
        std::set<std::uint32_t> seen;
        for (int y = std::max(0, y0); y < std::min(h, y1); y += step) {
            for (int x = std::max(0, x0); x < std::min(w, x1); x += step) seen.insert(at(x, y));
        }
        return seen.size();
    }
};

Image load_png(const std::string& path) {
    Image img;
    int n = 0;
    unsigned char* data = stbi_load(path.c_str(), &img.w, &img.h, &n, 3);
    if (data) {
        img.rgb.assign(data, data + static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h) * 3);
        stbi_image_free(data);
    }
    return img;
}

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return "popen failed";
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    out += "\n[exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "]";
    return out;
}

// Xvfb and anything the studio left would be re-parented to us (a subreaper):
// give them a moment to finish exiting, reaping as they do.
void settle_children() {
    for (int i = 0; i < 300 && live_children() > 0; ++i) {
        reap_children();
        ::usleep(10'000);
    }
}

}  // namespace

TEST_CASE("the studio renders every panel with traffic for each worker class and leaves no child",
          "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    // The right-hand column shows one tab: alternate Traffic and Stats so both are checked.
    auto [worker_class, tab] = GENERATE(table<std::string, std::string>({{"sync", "Traffic"},
                                                                          {"gthread", "Stats"},
                                                                          {"gevent", "Traffic"},
                                                                          {"eventlet", "Stats"},
                                                                          {"tornado", "Traffic"},
                                                                          {"asyncio", "Stats"}}));
    DYNAMIC_SECTION("-k " << worker_class) {
        LeakCheck leaks;
        std::string png = "/tmp/minicorn-studio-smoke-" + worker_class + "-" + std::to_string(::getpid()) + ".png";
        std::string extra = worker_class == "gthread" ? " --threads 4" : "";
        std::string cmd = "xvfb-run -a -s '-screen 0 1600x1000x24' " + std::string(MINICORN_STUDIO_BIN) +
                          " --screenshot " + png + " --frames 40 --tab " + tab + " -k " + worker_class + " -w 2" + extra +
                          " -c 6 --mix '/io?ms=20:50,/cpu?ms=2:20,/:30'";
        std::string output = run(cmd);
        INFO(cmd << "\n" << output);
        REQUIRE(output.find("[exit 0]") != std::string::npos);

        Image img = load_png(png);
        REQUIRE(img.w == 1600);
        REQUIRE(img.h == 1000);
        CHECK(img.colours(0, 0, img.w, img.h, 3) > 150);  // text, boxes, plots: far from blank

        std::ifstream sidecar_file(png + ".json");
        REQUIRE(sidecar_file);
        nlohmann::json sidecar = nlohmann::json::parse(sidecar_file);
        CHECK(sidecar["engine"] == "running");
        CHECK(sidecar["workers"].get<int>() == 2);
        CHECK(sidecar["events"].get<int>() > 100);
        CHECK(sidecar["font"] == "DejaVuSans");
        std::set<std::string> drawn;
        for (const auto& p : sidecar["panels"]) {
            std::string name = p["name"];
            drawn.insert(name);
            auto x = p["x"].get<int>(), y = p["y"].get<int>(), w = p["w"].get<int>(), h = p["h"].get<int>();
            INFO("panel " << name << " at " << x << "," << y << " " << w << "x" << h);
            CHECK(x >= 0);
            CHECK(y >= 0);
            CHECK(x + w <= img.w);
            CHECK(y + h <= img.h);
            CHECK(w >= 100);
            CHECK(h >= 20);
            CHECK(img.colours(x, y, x + w, y + h, 2) >= 8);  // something drawn inside, not a flat fill
        }
        for (const char* want : {"Topology", "Timeline", "Controls", "Status bar"}) {
            INFO("panel " << want);
            CHECK(drawn.count(want) == 1);
        }
        CHECK(drawn.count(tab) == 1);

        ::unlink(png.c_str());
        ::unlink((png + ".json").c_str());
        settle_children();
    }
}
