// tests/test_compare_process.cpp — `minicorn compare` on real servers: the
// table's shape, figures a learner would check (io-bound: a green worker
// serves many times what sync does), skipping a scenario whose route is
// missing, and Ctrl-C leaving nothing behind.
//
// compare's servers are its children, not ours: LeakCheck cannot see them.
// Every run is tagged with an environment variable its children inherit, and
// the test checks that no process carrying the tag is left.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/leak_check.h"
#include "tests/support/run_minicorn.h"

using namespace minicorn::testing;

namespace {

// Processes whose environment holds `tag`.
int processes_tagged(const std::string& tag) {
    int n = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::ifstream env(entry.path() / "environ", std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(env)), std::istreambuf_iterator<char>());
        if (text.find(tag) != std::string::npos) ++n;
    }
    return n;
}

std::string make_tag() { return "MINICORN_COMPARE_TEST=" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()); }

// Waits (up to 5 s) for the tagged processes to be gone: a stopped master's
// workers take a moment to exit after it does.
int tagged_after_settling(const std::string& tag) {
    for (int i = 0; i < 50 && processes_tagged(tag) > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return processes_tagged(tag);
}

const nlohmann::json& model(const nlohmann::json& scenario, const std::string& name) {
    for (const nlohmann::json& m : scenario["models"]) {
        if (m["model"] == name) return m;
    }
    FAIL("no model " << name);
    return scenario;
}

// `minicorn compare ARGS` with the tag in its environment; stdout only (the
// progress lines on stderr are dropped).
Run compare_tagged(const std::string& tag, const std::string& args) {
    std::string cmd = "env " + tag + " " + std::string(MINICORN_BIN) + " compare " + args + " 2>/dev/null";
    Run r{-1, ""};
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = ::pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

TEST_CASE("compare io-bound, sync vs gevent: one row each, gevent many times sync's req/s", "[process][compare]") {
    LeakCheck leaks;
    const std::string tag = make_tag();
    Run run = compare_tagged(tag, "-k sync,gevent --scenario io-bound -d 2 --json");
    REQUIRE(run.status == 0);
    nlohmann::json out = nlohmann::json::parse(run.output);
    REQUIRE(out["scenarios"].size() == 1);
    const nlohmann::json& sc = out["scenarios"][0];
    CHECK(sc["name"] == "io-bound");
    REQUIRE(sc["models"].size() == 2);
    const nlohmann::json& sync = model(sc, "sync");
    const nlohmann::json& gevent = model(sc, "gevent");
    for (const nlohmann::json* m : {&sync, &gevent}) {
        CHECK((*m)["outcome"] == "ran");
        CHECK((*m)["requests"].get<int>() > 0);
        CHECK((*m)["cpu_per_request_us"].get<double>() > 0);
        CHECK((*m)["rss_per_worker_bytes"].get<std::uint64_t>() > 100'000);
        CHECK((*m)["worker_timeouts"] == 0);
        CHECK((*m)["latency_ms"]["p50"].get<double>() >= 50);  // every request sleeps 50 ms
    }
    // 2 sync workers serve one 50 ms request at a time each: ~40 req/s; a
    // gevent worker holds every one of the 100 users' sleeps at once.
    CHECK(sync["requests_per_s"].get<double>() < 45);
    CHECK(gevent["requests_per_s"].get<double>() > 10 * sync["requests_per_s"].get<double>());
    CHECK(sync["peak_handlers_per_worker"] == 1);
    CHECK(gevent["peak_handlers_per_worker"].get<int>() >= 20);
    CHECK(sc["winner"] == "gevent");
    CHECK(tagged_after_settling(tag) == 0);
}

TEST_CASE("compare prints a table: a header, one row per model, a verdict line", "[process][compare]") {
    LeakCheck leaks;
    const std::string tag = make_tag();
    Run run = compare_tagged(tag, "-k sync,gthread --mix /cpu?ms=5 -c 4 -d 1");
    REQUIRE(run.status == 0);
    INFO(run.output);
    CHECK(run.output.find("== custom — the traffic given on the command line") == 0);
    CHECK(run.output.find("model    req/s") != std::string::npos);
    CHECK(run.output.find("CPU/req  RSS/worker  at once  timeouts") != std::string::npos);
    CHECK(run.output.find("\nsync  ") != std::string::npos);
    CHECK(run.output.find("\ngthread  ") != std::string::npos);
    CHECK(run.output.find("gthread --threads 4") != std::string::npos);
    CHECK(run.output.find("\n=> custom: ") != std::string::npos);
    CHECK(tagged_after_settling(tag) == 0);
}

TEST_CASE("a scenario whose route answers 404 is skipped with a clear message", "[process][compare]") {
    LeakCheck leaks;
    const std::string tag = make_tag();
    const std::string dir = "/tmp/minicorn-compare-test-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/nowhere.scenario") << "about: a route the demo app lacks\nmix: /\nrequires: /nowhere\nduration: 1\n";
    Run run = compare_tagged(tag, "-k sync --scenarios-dir " + dir + " --scenario nowhere");
    std::filesystem::remove_all(dir);
    REQUIRE(run.status == 0);
    CHECK(run.output.find("sync: skipped: /nowhere answers 404: this build's demo app has no such route") !=
          std::string::npos);
    CHECK(run.output.find("=> nowhere: no model ran") != std::string::npos);
    CHECK(tagged_after_settling(tag) == 0);
}

TEST_CASE("Ctrl-C stops compare within seconds and leaves no server behind", "[process][compare]") {
    LeakCheck leaks;
    const std::string tag = make_tag();
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        const std::string bin = MINICORN_BIN;
        ::putenv(const_cast<char*>(tag.c_str()));
        ::execl(bin.c_str(), bin.c_str(), "compare", "-k", "sync,gevent", "--scenario", "io-bound", "-d", "30",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Wait until a server is up (a tagged process besides compare itself), then Ctrl-C.
    for (int i = 0; i < 100 && processes_tagged(tag) < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(processes_tagged(tag) >= 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto sent = std::chrono::steady_clock::now();
    ::kill(pid, SIGINT);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
    CHECK(took < 8);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(tagged_after_settling(tag) == 0);
}

TEST_CASE("compare's usage errors exit 2 with one clear line, before any server starts", "[compare]") {
    Run none = run_minicorn("compare");
    CHECK(none.status == 2);
    CHECK(none.output.find("minicorn compare: error: say what traffic to send") != std::string::npos);
    Run bad_serve = run_minicorn("compare --mix / -k sync -w x");
    CHECK(bad_serve.status == 2);
    CHECK(bad_serve.output.find("minicorn compare: error: argument -w/--workers: 'x' is not an integer") !=
          std::string::npos);
    Run unknown = run_minicorn("compare --scenario nope");
    CHECK(unknown.status == 2);
    CHECK(unknown.output.find("no scenario 'nope' (known: io-bound,") != std::string::npos);
    Run help = run_minicorn("compare --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("usage: minicorn compare") == 0);
}
