// engine/compare/compare_config.h — what `minicorn compare` is asked to do:
// the models, the scenario(s), traffic that overrides the scenario's, the
// serve flags every model shares, and how to print; parsed from the command
// line. And the plan of one model's run, built from all of that.
//
// Flags are split three ways: compare's own (-k, --scenario, --json, …), the
// client's (-c, --rate, -d, --mix, --slowloris, …, as `minicorn load` spells
// them) and everything else, which is `minicorn serve`'s (-w, --threads,
// --timeout/-t, --keep-alive, --worker-connections, --gil, …: gunicorn's).
//
// Plain data and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/compare/model_run.h"
#include "engine/compare/scenario.h"

namespace minicorn::compare {

// The worker models, in the order the table shows them.
const std::vector<std::string>& all_models();

// "sync,gevent" (or "all") → the models, in the order given, each once; the
// problem in words when a name is not a model. Also the studio's --compare.
std::optional<std::string> parse_models(const std::string& list, std::vector<std::string>& out);

struct CompareConfig {
    std::vector<std::string> models;      // -k sync,gevent (default: all six)
    std::string scenario;                 // --scenario NAME
    bool all_scenarios = false;           // --all-scenarios
    bool list_scenarios = false;          // --list-scenarios
    std::string scenarios_dir;            // --scenarios-dir (default: scenarios_dir())
    // The traffic: each, when given, replaces the scenario's value.
    std::optional<std::string> mix;
    std::optional<int> connections;
    std::optional<double> rate;
    std::optional<double> duration_s;
    std::optional<double> timeout_s;
    std::optional<int> slowloris, slowloris_ms, silent, slow_readers, idle;
    std::optional<bool> client_keep_alive;
    std::vector<std::string> serve;       // flags for `minicorn serve`, every model
    std::string config_file;              // --config FILE: a gunicorn config file, read by each serve (-c)
    std::optional<int> threads;           // --threads: gthread's only (default 4)
    bool parallel = false;
    bool json = false;
    bool markdown = false;
    std::uint64_t seed = 1;
};

struct CompareParse {
    enum class Status { Ok, Help, Error } status = Status::Ok;
    std::string message;
};

CompareParse parse_compare_args(const std::vector<std::string>& args, CompareConfig& out);
std::string compare_help();

// The scenario this run uses: the named one with the command line's traffic
// on top, or (no --scenario) an ad-hoc "custom" one from the flags alone.
std::variant<Scenario, std::string> resolve_scenario(const CompareConfig& cfg, const std::string& name);

// One model's run of `sc`: its serve flags (the scenario's, then the command
// line's; --threads only for gthread), the client's config, the seed. An
// error when the serve flags do not parse (serve's own message).
std::variant<RunPlan, std::string> make_plan(const CompareConfig& cfg, const Scenario& sc, const std::string& model,
                                             const std::string& minicorn_bin);

}  // namespace minicorn::compare
