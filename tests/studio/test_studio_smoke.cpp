// tests/studio/test_studio_smoke.cpp — the real minicorn-studio binary under
// Xvfb, for every worker class: it starts the engine and traffic, renders,
// saves a screenshot whose panels are all there and not blank, and leaves no
// process behind.
//
// The studio writes OUT.png.json beside the PNG: the panels it drew in the
// last frame and their rectangles. The test checks that list, then samples
// the PNG inside each rectangle.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/studio/studio_runner.h"
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
        std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                          std::string(MINICORN_STUDIO_BIN) +
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

namespace {

struct ProcInfo {
    pid_t pid;
    pid_t ppid;
    std::vector<std::string> argv;
};

// Every process on the machine (that we may read), with its parent and argv.
std::vector<ProcInfo> all_processes() {
    std::vector<ProcInfo> out;
    DIR* proc = ::opendir("/proc");
    if (!proc) return out;
    while (dirent* d = ::readdir(proc)) {
        pid_t pid = static_cast<pid_t>(std::atoi(d->d_name));
        if (pid <= 0) continue;
        std::ifstream stat("/proc/" + std::string(d->d_name) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        auto paren = line.rfind(')');
        if (paren == std::string::npos || paren + 4 > line.size()) continue;
        char state = 0;
        int ppid = 0;
        if (std::sscanf(line.c_str() + paren + 2, "%c %d", &state, &ppid) != 2 || state == 'Z') continue;
        std::ifstream cmd("/proc/" + std::string(d->d_name) + "/cmdline");
        std::string raw((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
        ProcInfo info{pid, static_cast<pid_t>(ppid), {}};
        for (std::size_t at = 0; at < raw.size();) {
            std::size_t end = raw.find('\0', at);
            if (end == std::string::npos) end = raw.size();
            info.argv.push_back(raw.substr(at, end - at));
            at = end + 1;
        }
        out.push_back(std::move(info));
    }
    ::closedir(proc);
    return out;
}

// `root` and everything below it.
std::vector<pid_t> descendants(pid_t root) {
    std::vector<ProcInfo> procs = all_processes();
    std::vector<pid_t> found = {root};
    for (std::size_t i = 0; i < found.size(); ++i) {
        for (const ProcInfo& p : procs) {
            if (p.ppid == found[i]) found.push_back(p.pid);
        }
    }
    found.erase(found.begin());
    return found;
}

bool alive(pid_t pid) {
    reap_children();
    for (const ProcInfo& p : all_processes()) {
        if (p.pid == pid) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("a studio killed with -9 leaves no engine or client behind", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    std::string png = "/tmp/minicorn-studio-kill9-" + std::to_string(::getpid()) + ".png";
    std::string studio_bin = MINICORN_STUDIO_BIN;
    std::vector<std::string> args = {"xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", studio_bin, "--screenshot", png,
                                     "--frames", "100000", "-k", "sync", "-w", "2", "-c", "4"};
    pid_t runner = ::fork();
    if (runner == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::setenv("ASAN_OPTIONS", studio_asan_options().c_str(), 1);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp("xvfb-run", argv.data());
        ::_exit(127);
    }
    REQUIRE(runner > 0);

    // The studio, once its engine (a master and two workers) and its client run.
    pid_t studio = 0;
    std::vector<pid_t> below;
    auto engine_and_client_up = [&] {
        std::size_t serve = 0, client = 0;
        for (const ProcInfo& p : all_processes()) {
            if (std::find(below.begin(), below.end(), p.pid) == below.end() || p.argv.size() < 2) continue;
            if (p.argv[1] == "serve") ++serve;
            if (p.argv[1] == "load" && p.ppid == studio) ++client;
        }
        return serve >= 3 && client >= 1;
    };
    for (int i = 0; i < 1000 && !(studio && engine_and_client_up()); ++i) {
        for (const ProcInfo& p : all_processes()) {
            if (!p.argv.empty() && p.argv[0] == studio_bin && p.argv.size() > 2 && p.argv[2] == png) studio = p.pid;
        }
        if (studio) below = descendants(studio);
        ::usleep(10'000);
    }
    INFO("studio pid " << studio << ", " << below.size() << " processes below it");
    REQUIRE(studio != 0);
    REQUIRE(engine_and_client_up());

    ::kill(studio, SIGKILL);
    // PR_SET_PDEATHSIG: the master gets TERM and stops its workers; the client stops.
    auto gone = [&] {
        return std::none_of(below.begin(), below.end(), [](pid_t p) { return alive(p); });
    };
    for (int i = 0; i < 1000 && !gone(); ++i) ::usleep(10'000);
    CHECK(gone());

    int status = 0;
    ::waitpid(runner, &status, 0);  // xvfb-run stops its Xvfb once the studio is gone
    for (pid_t p : below) ::kill(p, SIGKILL);  // only if the check above failed
    ::unlink(png.c_str());
    settle_children();
}

TEST_CASE("when the engine exits the studio says so and its restart brings it back", "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    std::string png = "/tmp/minicorn-studio-exit-" + std::to_string(::getpid()) + ".png";
    auto studio = [&](const std::string& then) {
        std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                          std::string(MINICORN_STUDIO_BIN) +
                          " --screenshot " + png + " --frames 20 -k sync -w 1 -c 2 " + then;
        std::string output = run(cmd);
        INFO(cmd << "\n" << output);
        REQUIRE(output.find("[exit 0]") != std::string::npos);
        std::ifstream sidecar_file(png + ".json");
        return nlohmann::json::parse(sidecar_file);
    };
    // TERM to the arbiter: a graceful stop, exit status 0; the studio shows it exited, and does not hang.
    nlohmann::json stopped = studio("--then term");
    CHECK(stopped["engine"] == "exited");
    CHECK(stopped["engine_exit"] == "exit 0");
    // Its Restart starts a new engine with the same settings.
    nlohmann::json restarted = studio("--then term --then restart");
    CHECK(restarted["engine"] == "running");
    CHECK(restarted["workers"].get<int>() == 1);
    ::unlink(png.c_str());
    ::unlink((png + ".json").c_str());
    settle_children();
}
