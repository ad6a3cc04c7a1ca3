// engine/compare/scenario.h — a compare scenario: the traffic every worker
// model gets, the server flags they share, and the figure that decides which
// model wins. Read from a small text file, one per scenario
// (assets/scenarios/NAME.scenario):
//
//   # comment
//   about: every request waits 50 ms in a patched sleep
//   mix: /io?ms=50
//   connections: 100          (closed loop; or rate: R for the open loop)
//   duration: 5
//   judge: throughput         (throughput | latency | cpu | idle-held)
//   serve: --keep-alive 30    (extra `minicorn serve` flags, shared by every model)
//   requires: /fanout?n=1&ms=1  (skip the scenario when this route is 404)
//   order: 10                 (its row in the matrix)
//
// Plain data and pure functions; load_scenario reads a file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace minicorn::compare {

// The figure that decides a scenario's winner.
enum class Judge {
    Throughput,  // good responses a second: higher wins
    Latency,     // p99 of the good requests: lower wins
    Cpu,         // server CPU per request: lower wins
    IdleHeld,    // idle keep-alive connections still open at the end: more wins
};

std::string_view judge_name(Judge j);
std::optional<Judge> judge_from_name(std::string_view name);

struct Scenario {
    std::string name;                  // the file's stem: "io-bound"
    std::string about;                 // one sentence for the learner
    std::string mix = "/";             // `minicorn load --mix`
    int connections = 0;               // closed loop: virtual users (0 with rate)
    double rate = 0;                   // open loop: requests a second
    double duration_s = 5;
    double timeout_s = 10;             // the client's per-request timeout
    bool client_keep_alive = true;
    int slowloris = 0, silent = 0, slow_readers = 0;
    int slowloris_ms = 500;
    int idle = 0;                      // idle keep-alive connections held beside the traffic
    std::vector<std::string> serve;    // extra `minicorn serve` flags
    std::string requires_path;         // probed first; a 404 skips the scenario
    Judge judge = Judge::Throughput;
    int order = 100;                   // its place in the matrix (lower first)
};

// Parses a scenario file's text; an error names the line.
std::variant<Scenario, std::string> parse_scenario(std::string_view name, std::string_view text);

// Where the built-in scenarios live: $MINICORN_SCENARIOS, else the source
// tree's assets/scenarios (compiled in).
std::string scenarios_dir();
// The names of the scenarios in `dir`, sorted in the order the matrix shows
// them (the file's "order:" key, then the name).
std::vector<std::string> scenario_names(const std::string& dir);
// Reads NAME.scenario from `dir` (or a path ending in .scenario).
std::variant<Scenario, std::string> load_scenario(const std::string& dir, const std::string& name);

// "a b 'c d'" → {"a", "b", "c d"}: a serve line split as a shell would (quotes only).
std::vector<std::string> split_words(std::string_view text);

}  // namespace minicorn::compare
