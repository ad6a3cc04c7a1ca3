// tests/test_compare_units.cpp — `minicorn compare` without servers: the
// scenario files, the command line, the plan of a run, and the verdict
// computed from figures.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "engine/compare/compare_config.h"
#include "engine/compare/verdict.h"

using namespace minicorn::compare;

namespace {

CompareConfig parse_ok(std::vector<std::string> args) {
    CompareConfig cfg;
    CompareParse p = parse_compare_args(args, cfg);
    INFO(p.message);
    REQUIRE(p.status == CompareParse::Status::Ok);
    return cfg;
}

std::string parse_error(std::vector<std::string> args) {
    CompareConfig cfg;
    CompareParse p = parse_compare_args(args, cfg);
    REQUIRE(p.status == CompareParse::Status::Error);
    return p.message;
}

ModelResult ran(const std::string& model, std::uint64_t requests, int peak, double cpu_s = 0.1) {
    ModelResult r;
    r.model = model;
    r.outcome = ModelResult::Outcome::Ran;
    r.elapsed_s = 1;
    r.stats.requests = requests;
    r.stats.attempts = requests;
    for (std::uint64_t i = 0; i < requests; ++i) r.stats.latency.record(50'000);
    r.peak_handlers = peak;
    r.cpu_s = cpu_s;
    return r;
}

}  // namespace

TEST_CASE("every built-in scenario parses, and the matrix order puts io-bound first", "[compare]") {
    std::vector<std::string> names = scenario_names(scenarios_dir());
    REQUIRE(names.size() >= 8);
    CHECK(names.front() == "io-bound");
    for (const char* n : {"io-bound", "db-bound", "cpu-bound", "mixed", "slow-clients", "idle-keepalive",
                                 "blocking-call", "fanout"}) {
        INFO(n);
        auto sc = load_scenario(scenarios_dir(), n);
        REQUIRE(std::holds_alternative<Scenario>(sc));
        CHECK_FALSE(std::get<Scenario>(sc).about.empty());
    }
    CHECK(std::get<Scenario>(load_scenario(scenarios_dir(), "fanout")).requires_path.starts_with("/fanout"));
    CHECK(std::get<Scenario>(load_scenario(scenarios_dir(), "idle-keepalive")).idle >= 1000);
}

TEST_CASE("a scenario file's mistake names its line", "[compare]") {
    auto sc = parse_scenario("x", "# a comment\nmix: /\nconections: 10\n");
    REQUIRE(std::holds_alternative<std::string>(sc));
    CHECK(std::get<std::string>(sc) == "line 3: unknown key 'conections'");
    auto bad = parse_scenario("x", "judge: fastest\n");
    CHECK(std::get<std::string>(bad).find("throughput, latency, cpu or idle-held") != std::string::npos);
    auto both = parse_scenario("x", "connections: 5\nrate: 10\n");
    CHECK(std::get<std::string>(both) == "connections and rate exclude each other");
}

TEST_CASE("an unknown scenario lists the known ones", "[compare]") {
    CompareConfig cfg = parse_ok({"--scenario", "io-bund"});
    auto sc = resolve_scenario(cfg, cfg.scenario);
    REQUIRE(std::holds_alternative<std::string>(sc));
    CHECK(std::get<std::string>(sc).find("no scenario 'io-bund' (known: io-bound,") == 0);
}

TEST_CASE("compare's command line: models, traffic, serve flags", "[compare]") {
    CompareConfig cfg = parse_ok({"-k", "sync,gevent", "--scenario", "io-bound", "-c", "7", "-d", "2", "-w", "3",
                                  "--keep-alive", "5", "--threads=8", "--json"});
    CHECK(cfg.models == std::vector<std::string>{"sync", "gevent"});
    CHECK(cfg.connections == 7);
    CHECK(cfg.duration_s == 2.0);
    CHECK(cfg.threads == 8);
    CHECK(cfg.json);
    CHECK(cfg.serve == std::vector<std::string>{"-w", "3", "--keep-alive", "5"});
    CHECK(parse_ok({"--mix", "/"}).models == all_models());
    CHECK(parse_ok({"-k", "all", "--mix", "/"}).models.size() == 6);
}

TEST_CASE("compare's bad flags give clear errors", "[compare]") {
    CHECK(parse_error({"-k", "sync,unicorn", "--mix", "/"}) ==
          "argument -k/--worker-class: 'unicorn' is not a worker model (choose from sync, gthread, gevent, eventlet, "
          "tornado, asyncio, or all)");
    CHECK(parse_error({"-k", "sync"}) == "say what traffic to send: --scenario NAME, --mix SPEC or --all-scenarios");
    CHECK(parse_error({"--mix", "/", "-c", "2", "--rate", "5"}) == "-c and --rate exclude each other (closed or open loop)");
    CHECK(parse_error({"--mix", "/", "-b", "127.0.0.1:8000"}) ==
          "argument -b: compare gives each model its own loopback port and trace");
    CHECK(parse_error({"--mix", "/", "-d", "soon"}) == "argument -d: 'soon' is not a duration (5, 2.5, 500ms, 1m)");
    CHECK(parse_error({"--mix", "/", "-c"}) == "argument -c: expected a value");
    CHECK(parse_error({"--mix", "io"}).find("argument --mix:") == 0);
    CHECK(parse_error({"--scenario", "a", "--all-scenarios"}) == "--scenario and --all-scenarios exclude each other");
}

TEST_CASE("a bad serve flag is refused before any server starts, in serve's words", "[compare]") {
    CHECK(parse_error({"--mix", "/", "--workers", "many"}).find("--workers") != std::string::npos);
    // A typo is named first, not after "say what traffic to send".
    CHECK(parse_error({"--bogus"}) == "unrecognized argument: '--bogus' (see minicorn serve --help)");
    // make_plan reads the flags again per model (with the config file, once it is known).
    CompareConfig cfg = parse_ok({"--mix", "/", "--config", "/nonexistent/gunicorn.conf.py"});
    auto sc = resolve_scenario(cfg, "");
    auto plan = make_plan(cfg, std::get<Scenario>(sc), "sync", "minicorn");
    REQUIRE(std::holds_alternative<std::string>(plan));
    CHECK(std::get<std::string>(plan).find("gunicorn.conf.py") != std::string::npos);
}

TEST_CASE("--threads goes to gthread only; the scenario's traffic is overridden by the command line", "[compare]") {
    CompareConfig cfg = parse_ok({"--scenario", "io-bound", "-c", "3", "--threads", "6"});
    Scenario sc = std::get<Scenario>(resolve_scenario(cfg, cfg.scenario));
    CHECK(sc.connections == 3);
    RunPlan sync = std::get<RunPlan>(make_plan(cfg, sc, "sync", "minicorn"));
    RunPlan gthread = std::get<RunPlan>(make_plan(cfg, sc, "gthread", "minicorn"));
    CHECK(std::find(sync.serve.begin(), sync.serve.end(), "--threads") == sync.serve.end());
    auto at = std::find(gthread.serve.begin(), gthread.serve.end(), "--threads");
    REQUIRE(at != gthread.serve.end());
    CHECK(*(at + 1) == "6");
    CHECK(sync.workers == 2);  // io-bound's serve line: -w 2
    CHECK(sync.load.virtual_users == 3);
    CHECK(sync.seed == gthread.seed);
}

TEST_CASE("the verdict picks the winner from the figures and says why", "[compare]") {
    Scenario sc;
    sc.name = "io-bound";
    sc.judge = Judge::Throughput;
    std::vector<ModelResult> results = {ran("sync", 39, 1), ran("gevent", 1900, 100), ran("gthread", 150, 4)};
    Verdict v = judge_scenario(sc, results);
    CHECK(v.winner == "gevent");
    CHECK(v.loser == "sync");
    CHECK_FALSE(v.tie);
    CHECK(v.ratio == Approx(1900.0 / 39).epsilon(0.01));
    CHECK(v.line.find("gevent wins on throughput — 1,900 req/s, 48.7× better than sync's 39 req/s") != std::string::npos);
    CHECK(v.line.find("gevent ran up to 100 requests at once in one worker, sync 1") != std::string::npos);
}

TEST_CASE("within 1.3x of each other is a tie, and the verdict says what did not matter", "[compare]") {
    Scenario sc;
    sc.name = "cpu-bound";
    std::vector<ModelResult> results = {ran("sync", 100, 1, 1.0), ran("gevent", 110, 20, 1.2)};
    Verdict v = judge_scenario(sc, results);
    CHECK(v.tie);
    CHECK(v.line.find("a tie on throughput") != std::string::npos);
    CHECK(v.line.find("running more requests at once (up to 20 per worker, against 1) bought no throughput") !=
          std::string::npos);
}

TEST_CASE("a latency verdict: the lowest p99 of the good requests wins", "[compare]") {
    Scenario sc;
    sc.name = "slow-clients";
    sc.judge = Judge::Latency;
    ModelResult sync = ran("sync", 100, 1);
    sync.stats.latency.record(3'000'000);
    sync.stats.latency.record(3'000'000);
    sync.worker_timeouts = 2;
    std::vector<ModelResult> results = {sync, ran("gevent", 100, 3)};
    Verdict v = judge_scenario(sc, results);
    CHECK(v.winner == "gevent");
    CHECK(v.line.find("sync had 2 WORKER TIMEOUTs") != std::string::npos);
}

TEST_CASE("--config: each model's server reads the user's gunicorn config file; -k and compare's flags win",
          "[compare][gconf]") {
    const std::string path = "/tmp/minicorn-compare-conf-" + std::to_string(::getpid()) + ".py";
    {
        std::ofstream f(path);
        f << "workers = 1 + 2\nworker_class = 'sync'\nthreads = 8\n";
    }
    CompareConfig cfg = parse_ok({"--mix", "/", "--config", path});
    CHECK(cfg.config_file == path);
    Scenario sc = std::get<Scenario>(resolve_scenario(cfg, ""));
    RunPlan gevent = std::get<RunPlan>(make_plan(cfg, sc, "gevent", "minicorn"));
    CHECK(gevent.workers == 3);  // from the file
    REQUIRE(gevent.serve.size() >= 2);
    CHECK(gevent.serve[0] == "-c");
    CHECK(gevent.serve[1] == path);
    RunPlan gthread = std::get<RunPlan>(make_plan(cfg, sc, "gthread", "minicorn"));
    CHECK(std::find(gthread.serve.begin(), gthread.serve.end(), "--threads") == gthread.serve.end());  // the file's 8

    CompareConfig over = parse_ok({"--mix", "/", "--config", path, "-w", "2", "--threads", "5"});
    RunPlan g2 = std::get<RunPlan>(make_plan(over, sc, "gthread", "minicorn"));
    CHECK(g2.workers == 2);  // the command line over the file
    auto at = std::find(g2.serve.begin(), g2.serve.end(), "--threads");
    REQUIRE(at != g2.serve.end());
    CHECK(*(at + 1) == "5");

    {
        std::ofstream f(path);
        f << "workers = (\n";
    }
    auto bad = make_plan(cfg, sc, "sync", "minicorn");
    REQUIRE(std::holds_alternative<std::string>(bad));
    CHECK(std::get<std::string>(bad).find(path) != std::string::npos);  // the file's name and line
    ::unlink(path.c_str());
}
