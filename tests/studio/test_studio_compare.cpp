// tests/studio/test_studio_compare.cpp — the studio's Compare view and its
// -c FILE, run as the real minicorn-studio under Xvfb and read through the
// screenshot's sidecar: one Topology per engine with traffic flowing through
// each, the planned flags (--threads for gthread only, one client seed), no
// text cut off; Pause acts on every engine; a picked request is ringed in
// every engine; a gunicorn config file sets the engine, a broken one is refused
// in plain words. And `minicorn load --seed`, which the view relies on.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/client/load_config.h"
#include "tests/studio/studio_runner.h"

using namespace minicorn::testing;

namespace {

std::string studio_cmd(const std::string& png, const std::string& rest) {
    return "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
           std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png + " " + rest;
}

std::string temp_png(const std::string& name) {
    return "/tmp/minicorn-studio-compare-" + name + "-" + std::to_string(::getpid()) + ".png";
}

const nlohmann::json* panel(const nlohmann::json& sidecar, const std::string& name) {
    for (const auto& p : sidecar["panels"]) {
        if (p["name"] == name) return &p;
    }
    return nullptr;
}

// Texts whose rectangle lies inside the panel's (the window's own title included).
std::size_t texts_inside(const nlohmann::json& sidecar, const nlohmann::json& p) {
    const double x0 = p["x"], y0 = p["y"], x1 = x0 + p["w"].get<double>(), y1 = y0 + p["h"].get<double>();
    std::size_t n = 0;
    for (const auto& t : sidecar["layout"]["texts"]) {
        const double x = t["x"], y = t["y"];
        if (x >= x0 && x < x1 && y >= y0 && y < y1) ++n;
    }
    return n;
}

std::string faults_of(const nlohmann::json& sidecar) {
    std::string out;
    for (const auto& f : sidecar["layout"]["faults"]) out += f.get<std::string>() + "\n";
    return out;
}

bool has_flag(const nlohmann::json& argv, const std::string& flag) {
    return std::any_of(argv.begin(), argv.end(), [&](const nlohmann::json& a) { return a == flag; });
}

// sync, gthread and gevent, in that order, each with `workers` booted and traffic through it.
void check_three_engines(const nlohmann::json& engines, int workers) {
    REQUIRE(engines.size() == 3);
    const char* models[] = {"sync", "gthread", "gevent"};
    for (std::size_t i = 0; i < 3; ++i) {
        INFO(engines[i].dump());
        CHECK(engines[i]["model"] == models[i]);
        CHECK(engines[i]["workers_booted"].get<int>() == workers);
        CHECK(engines[i]["requests"].get<std::uint64_t>() > 0);  // traffic went through each
    }
}

// The one-engine studio is back, running a gevent worker.
bool gevent_worker_shown(const nlohmann::json& sidecar) {
    for (const auto& t : sidecar["layout"]["texts"]) {
        if (t["text"].get<std::string>().starts_with("worker 1 (gevent)")) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("studio --compare sync,gthread,gevent draws every engine with the same traffic and no cut text",
          "[studio][process][compare]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = temp_png("three");
    const nlohmann::json sidecar =
        shoot(studio_cmd(png, "--frames 60 --compare sync,gthread,gevent -c 16 --mix '/io?ms=50:60,/cpu?ms=10:20,/:20'"),
              png);
    const auto& engines = sidecar["compare"]["engines"];
    check_three_engines(engines, 2);  // the studio's -w 2, every model
    const char* models[] = {"sync", "gthread", "gevent"};
    for (std::size_t i = 0; i < 3; ++i) {
        INFO(engines[i].dump());
        CHECK(engines[i]["client"].get<std::string>().find("--seed 1") != std::string::npos);
        CHECK(has_flag(engines[i]["serve"], "--threads") == (models[i] == std::string("gthread")));
        const nlohmann::json* p = panel(sidecar, std::string("Compare ") + models[i]);
        REQUIRE(p != nullptr);
        CHECK(texts_inside(sidecar, *p) > 10);                          // a Topology was drawn in it
    }
    CHECK(panel(sidecar, "Compare controls") != nullptr);
    CHECK(panel(sidecar, "Compare plots") != nullptr);
    // Three different ports: three engines, not one drawn three times.
    CHECK(engines[0]["port"] != engines[1]["port"]);
    CHECK(engines[1]["port"] != engines[2]["port"]);
    INFO(faults_of(sidecar));
    CHECK(sidecar["layout"]["faults"].empty());
}

TEST_CASE("studio --compare all: six engines in two columns, every text whole (the accept queue says less, not cut)",
          "[studio][process][compare]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = temp_png("six");
    const nlohmann::json sidecar = shoot(studio_cmd(png, "--frames 40 --compare all -c 8"), png);
    REQUIRE(sidecar["compare"]["engines"].size() == 6);
    INFO(faults_of(sidecar));
    CHECK(sidecar["layout"]["faults"].empty());
}

TEST_CASE("studio --compare: Pause holds every engine and a picked request is ringed in each",
          "[studio][process][compare]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = temp_png("pick");
    // Two users, 2 s requests: the same requests are in flight in all three engines at once.
    const nlohmann::json sidecar = shoot(
        studio_cmd(png, "--frames 30 --compare sync,gthread,gevent -c 2 --mix '/io?ms=2000' --then pause "
                        "--then pick-request"),
        png);
    const auto& cmp = sidecar["compare"];
    INFO(cmp.dump());
    CHECK(cmp["picked"].get<std::uint64_t>() > 0);
    for (const auto& eng : cmp["engines"]) {
        CHECK(eng["paused"] == true);
        CHECK(eng["ring"]["w"].get<double>() > 0);  // the same request, ringed in this engine too
    }
    INFO(faults_of(sidecar));
    CHECK(sidecar["layout"]["faults"].empty());
}

TEST_CASE("studio --compare: leaving returns to the one-engine studio on the first model", "[studio][process][compare]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = temp_png("leave");
    const nlohmann::json sidecar =
        shoot(studio_cmd(png, "--frames 90 --compare gevent,sync -c 4 --then leave --then wait:3"), png);
    INFO(sidecar["panels"].dump());
    CHECK_FALSE(sidecar.contains("compare"));
    CHECK(panel(sidecar, "Topology") != nullptr);
    CHECK(panel(sidecar, "Compare gevent") == nullptr);
    CHECK(sidecar["workers"] == 2);  // -w 2, as the engines in Compare had
    CHECK(gevent_worker_shown(sidecar));
}

TEST_CASE("studio: the Compare menu opens the ticked models side by side with the Controls' settings, and leaving "
          "comes back to them",
          "[studio][process][compare]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    {
        // The menu as a learner sees it: every model offered, the default three ticked.
        const std::string png = temp_png("menu");
        const nlohmann::json sidecar = shoot(studio_cmd(png, "--frames 3 --then compare-menu"), png);
        std::string texts;
        for (const auto& t : sidecar["layout"]["texts"]) texts += t["text"].get<std::string>() + "\n";
        for (const char* m : {"sync", "gthread", "eventlet", "gevent", "tornado", "asyncio", "Compare side by side"}) {
            CHECK(texts.find(std::string(m) + "\n") != std::string::npos);
        }
        INFO(faults_of(sidecar));
        CHECK(sidecar["layout"]["faults"].empty());
    }
    {
        // One worker in the Controls (gunicorn's default, which serve_args leaves out): every engine has one.
        const std::string png = temp_png("menu-open");
        const nlohmann::json sidecar = shoot(studio_cmd(png, "--frames 30 -w 1 -c 4 --then compare --then wait:3"), png);
        REQUIRE(sidecar.contains("compare"));
        check_three_engines(sidecar["compare"]["engines"], 1);
    }
    {
        const std::string png = temp_png("menu-leave");
        const nlohmann::json sidecar =
            shoot(studio_cmd(png, "--frames 30 -k gevent -w 1 --then compare --then wait:2 --then leave --then wait:3"), png);
        CHECK_FALSE(sidecar.contains("compare"));
        CHECK(sidecar["workers"] == 1);
        CHECK(gevent_worker_shown(sidecar));  // the Controls' own model, not Compare's first
    }
}

TEST_CASE("studio --compare refuses fewer than two models or an unknown one, in words", "[studio][compare]") {
    std::string out = run(std::string(MINICORN_STUDIO_BIN) + " --compare sync");
    CHECK(out.find("2 to 6 worker models") != std::string::npos);
    CHECK(out.find("[exit 2]") != std::string::npos);
    out = run(std::string(MINICORN_STUDIO_BIN) + " --compare sync,fastest");
    CHECK(out.find("argument --compare: 'fastest' is not a worker model") != std::string::npos);
    CHECK(out.find("[exit 2]") != std::string::npos);
}

TEST_CASE("studio -c gunicorn.conf.py runs the engine the file describes and lists what it ignores",
          "[studio][process][config]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string conf = "/tmp/minicorn-studio-conf-" + std::to_string(::getpid()) + ".py";
    {
        std::ofstream f(conf);
        f << "import multiprocessing\n"
             "bind = \"0.0.0.0:8000\"\n"
             "workers = 3\n"
             "worker_class = \"gevent\"\n"
             "timeout = 40\n"
             "\n"
             "def post_fork(server, worker):\n"
             "    server.log.info(\"worker spawned\")\n";
    }
    const std::string png = temp_png("conf");
    const std::string cmd = studio_cmd(png, "--frames 20 -c " + conf + " -c 4");
    const std::string output = run(cmd);
    INFO(cmd << "\n" << output);
    REQUIRE(output.find("[exit 0]") != std::string::npos);
    CHECK(output.find(":7") != std::string::npos);  // the hook, named with its line
    CHECK(output.find("post_fork") != std::string::npos);
    std::ifstream in(png + ".json");
    REQUIRE(in);
    const nlohmann::json sidecar = nlohmann::json::parse(in);
    CHECK(sidecar["workers"] == 3);  // the file's workers, not the studio's default 2
    bool third_gevent_worker = false;
    for (const auto& t : sidecar["layout"]["texts"]) {
        third_gevent_worker |= t["text"].get<std::string>().starts_with("worker 3 (gevent)");
    }
    CHECK(third_gevent_worker);  // the file's worker_class
    CHECK(sidecar["client"].get<std::string>().find("-c 4") != std::string::npos);  // -c 4: still the users
    ::unlink(png.c_str());
    ::unlink((png + ".json").c_str());
    ::unlink(conf.c_str());
    settle_children();
}

TEST_CASE("studio --compare with -c gunicorn.conf.py: every model's server reads the file, -k stays the model's",
          "[studio][process][compare][config]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string conf = "/tmp/minicorn-studio-cmpconf-" + std::to_string(::getpid()) + ".py";
    {
        std::ofstream f(conf);
        f << "workers = 3\nworker_class = \"sync\"\nthreads = 2\n";
    }
    const std::string png = temp_png("cmpconf");
    const nlohmann::json sidecar = shoot(studio_cmd(png, "--frames 20 --compare sync,gthread --config " + conf + " -c 4"), png);
    const auto& engines = sidecar["compare"]["engines"];
    INFO(engines.dump());
    REQUIRE(engines.size() == 2);
    for (const auto& eng : engines) {
        CHECK(eng["workers_booted"].get<int>() == 3);  // the file's workers, not the studio's -w 2
        CHECK(has_flag(eng["serve"], conf));
        CHECK(eng["requests"].get<std::uint64_t>() > 0);
    }
    CHECK(engines[1]["model"] == "gthread");  // -k gthread over the file's worker_class
    CHECK_FALSE(has_flag(engines[1]["serve"], "--threads"));  // the file's threads = 2 stands for gthread
    ::unlink(conf.c_str());
}

TEST_CASE("studio -c with a broken config file says where and why, and starts nothing", "[studio][config]") {
    const std::string conf = "/tmp/minicorn-studio-badconf-" + std::to_string(::getpid()) + ".py";
    {
        std::ofstream f(conf);
        f << "workers = 2\nthreads = (4\n";
    }
    const std::string out = run(std::string(MINICORN_STUDIO_BIN) + " -c " + conf);
    INFO(out);
    CHECK(out.find(conf) != std::string::npos);
    CHECK(out.find(":2") != std::string::npos);  // the line
    CHECK(out.find("[exit 1]") != std::string::npos);
    CHECK(out.find("Sanitizer") == std::string::npos);
    const std::string missing = run(std::string(MINICORN_STUDIO_BIN) + " -c /nonexistent/gunicorn.conf.py");
    CHECK(missing.find("[exit 1]") != std::string::npos);
    ::unlink(conf.c_str());
}

TEST_CASE("minicorn load --seed takes a whole number and refuses anything else", "[compare][load]") {
    minicorn::client::LoadConfig cfg;
    auto parsed = minicorn::client::parse_load_args({"http://127.0.0.1:1/", "--seed", "7"}, cfg);
    CHECK(parsed.status == minicorn::client::LoadParse::Status::Ok);
    CHECK(cfg.seed == 7);
    minicorn::client::LoadConfig bad;
    parsed = minicorn::client::parse_load_args({"http://127.0.0.1:1/", "--seed", "x"}, bad);
    CHECK(parsed.status == minicorn::client::LoadParse::Status::Error);
}
