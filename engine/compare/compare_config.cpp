// engine/compare/compare_config.cpp — the command line of `minicorn compare`,
// and the plan of one model's run.
#include "engine/compare/compare_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "engine/client/load_config.h"
#include "engine/config/gunicorn_config.h"
#include "engine/process/config.h"
#include "engine/process/settings.h"

namespace minicorn::compare {

namespace {

constexpr int kDefaultGthreadThreads = 4;

std::optional<int> count_arg(const std::string& s) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}


// The flags compare keeps for itself: the engine's address and trace are its own.
bool reserved_serve_flag(const std::string& flag) {
    return flag == "-b" || flag == "--bind" || flag == "--trace" || flag == "--trace-fd" || flag.starts_with("--bind=") ||
           flag.starts_with("--trace=") || flag.starts_with("--trace-fd=");
}

// One client or compare flag with its value; false if `flag` is not one of them.
std::optional<std::string> apply_flag(CompareConfig& c, const std::string& flag, const std::string& v) {
    auto count = [&](std::optional<int>& out) -> std::optional<std::string> {
        auto n = count_arg(v);
        if (!n) return fmt::format("argument {}: '{}' is not a whole number", flag, v);
        out = *n;
        return std::nullopt;
    };
    auto seconds = [&](std::optional<double>& out) -> std::optional<std::string> {
        auto s = client::parse_seconds(v);
        if (!s || *s <= 0) return fmt::format("argument {}: '{}' is not a duration (5, 2.5, 500ms, 1m)", flag, v);
        out = *s;
        return std::nullopt;
    };
    if (flag == "-k" || flag == "--worker-class") return parse_models(v, c.models);
    if (flag == "--scenario") c.scenario = v;
    else if (flag == "--scenarios-dir") c.scenarios_dir = v;
    else if (flag == "--mix") {
        auto mix = client::parse_mix(v);
        if (auto* err = std::get_if<std::string>(&mix)) return fmt::format("argument --mix: {}", *err);
        c.mix = v;
    } else if (flag == "-c" || flag == "--connections") return count(c.connections);
    else if (flag == "--rate") {
        std::optional<double> r;
        char* end = nullptr;
        r = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || *r <= 0) return fmt::format("argument --rate: '{}' is not a positive number", v);
        c.rate = r;
    } else if (flag == "-d" || flag == "--duration") return seconds(c.duration_s);
    else if (flag == "--timeout-client") return seconds(c.timeout_s);
    else if (flag == "--slowloris") return count(c.slowloris);
    else if (flag == "--slowloris-ms") return count(c.slowloris_ms);
    else if (flag == "--silent") return count(c.silent);
    else if (flag == "--slow-readers") return count(c.slow_readers);
    else if (flag == "--idle") return count(c.idle);
    else if (flag == "--threads") return count(c.threads);
    else if (flag == "--seed") {
        auto n = count_arg(v);
        if (!n) return fmt::format("argument --seed: '{}' is not a whole number", v);
        c.seed = static_cast<std::uint64_t>(*n);
    } else if (flag == "--client-keep-alive") {
        if (v != "on" && v != "off") return fmt::format("argument --client-keep-alive: '{}' is not on or off", v);
        c.client_keep_alive = v == "on";
    } else {
        return std::string("\x01");  // not ours
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_models(const std::string& list, std::vector<std::string>& out) {
    out.clear();
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (name == "all") {
            out = all_models();
        } else if (std::find(all_models().begin(), all_models().end(), name) == all_models().end()) {
            std::string known;
            for (const std::string& m : all_models()) known += (known.empty() ? "" : ", ") + m;
            return fmt::format("argument -k/--worker-class: '{}' is not a worker model (choose from {}, or all)", name,
                               known);
        } else if (std::find(out.begin(), out.end(), name) == out.end()) {
            out.push_back(name);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return std::nullopt;
}

const std::vector<std::string>& all_models() {
    static const std::vector<std::string> models = {"sync", "gthread", "gevent", "eventlet", "tornado", "asyncio"};
    return models;
}

CompareParse parse_compare_args(const std::vector<std::string>& args, CompareConfig& out) {
    auto error = [](std::string m) { return CompareParse{CompareParse::Status::Error, std::move(m)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        if (flag == "-h" || flag == "--help") return {CompareParse::Status::Help, ""};
        if (flag == "--all-scenarios") out.all_scenarios = true;
        else if (flag == "--list-scenarios") out.list_scenarios = true;
        else if (flag == "--parallel") out.parallel = true;
        else if (flag == "--json") out.json = true;
        else if (flag == "--markdown") out.markdown = true;
        else if (flag == "--config" || flag.starts_with("--config=")) {
            // Each model's `minicorn serve -c FILE` reads it, with gunicorn's
            // precedence: compare's -k and the flags given here win over it.
            if (flag != "--config") out.config_file = flag.substr(9);
            else if (i + 1 < args.size()) out.config_file = args[++i];
            else return error("argument --config: expected a value (a gunicorn config file)");
        }
        else if (reserved_serve_flag(flag)) {
            return error(fmt::format("argument {}: compare gives each model its own loopback port and trace", flag));
        } else {
            std::string value;
            bool inline_value = false;
            if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
                value = flag.substr(eq + 1);
                flag = flag.substr(0, eq);
                inline_value = true;
            }
            CompareConfig probe = out;  // applied to a copy: a serve flag must leave `out` as it was
            auto r = apply_flag(probe, flag, inline_value ? value : (i + 1 < args.size() ? args[i + 1] : ""));
            if (r && *r == "\x01") {  // a serve flag: kept as written, validated per model by make_plan
                out.serve.push_back(args[i]);
                const process::Setting* s = process::find_setting_by_flag(flag);
                if (s && !inline_value && s->kind != process::SettingKind::Flag && i + 1 < args.size()) {
                    out.serve.push_back(args[++i]);
                }
                continue;
            }
            if (!inline_value && i + 1 >= args.size()) return error(fmt::format("argument {}: expected a value", flag));
            if (r) return error(*r);
            out = std::move(probe);
            if (!inline_value) ++i;
        }
    }
    if (out.models.empty()) out.models = all_models();
    if (out.list_scenarios) return {};
    if (out.scenarios_dir.empty()) out.scenarios_dir = scenarios_dir();
    if (!out.serve.empty()) {
        // A flag neither compare's nor serve's (a typo) is named now, before
        // anything else is asked of the learner; make_plan reads them again per model.
        std::vector<std::string> flags = {"-k", "sync"};
        flags.insert(flags.end(), out.serve.begin(), out.serve.end());
        config::LoadedConfig loaded = config::load_gunicorn_config("", config::Host::current(""), flags);
        if (loaded.status == config::LoadedConfig::Status::Error) return error(loaded.error);
    }
    if (out.all_scenarios && !out.scenario.empty()) return error("--scenario and --all-scenarios exclude each other");
    if (!out.all_scenarios && out.scenario.empty() && !out.mix) {
        return error("say what traffic to send: --scenario NAME, --mix SPEC or --all-scenarios");
    }
    if (out.connections && out.rate) return error("-c and --rate exclude each other (closed or open loop)");
    if (out.json && out.markdown) return error("--json and --markdown exclude each other");
    return {};
}

std::variant<Scenario, std::string> resolve_scenario(const CompareConfig& cfg, const std::string& name) {
    Scenario sc;
    if (!name.empty()) {
        auto loaded = load_scenario(cfg.scenarios_dir, name);
        if (auto* err = std::get_if<std::string>(&loaded)) return *err;
        sc = std::get<Scenario>(loaded);
    } else {
        sc.name = "custom";
        sc.about = "the traffic given on the command line";
        sc.connections = 10;
    }
    if (cfg.mix) sc.mix = *cfg.mix;
    if (cfg.connections) {
        sc.connections = *cfg.connections;
        sc.rate = 0;
    }
    if (cfg.rate) {
        sc.rate = *cfg.rate;
        sc.connections = 0;
    }
    if (cfg.duration_s) sc.duration_s = *cfg.duration_s;
    if (cfg.timeout_s) sc.timeout_s = *cfg.timeout_s;
    if (cfg.slowloris) sc.slowloris = *cfg.slowloris;
    if (cfg.slowloris_ms) sc.slowloris_ms = *cfg.slowloris_ms;
    if (cfg.silent) sc.silent = *cfg.silent;
    if (cfg.slow_readers) sc.slow_readers = *cfg.slow_readers;
    if (cfg.idle) sc.idle = *cfg.idle;
    if (cfg.client_keep_alive) sc.client_keep_alive = *cfg.client_keep_alive;
    return sc;
}

std::variant<RunPlan, std::string> make_plan(const CompareConfig& cfg, const Scenario& sc, const std::string& model,
                                             const std::string& minicorn_bin) {
    RunPlan plan;
    plan.minicorn_bin = minicorn_bin;
    plan.model = model;
    plan.seed = cfg.seed;
    plan.idle = sc.idle;
    plan.requires_path = sc.requires_path;
    // --threads is gthread's: gunicorn turns sync with threads > 1 into gthread,
    // and the other models ignore it. The last --threads given wins, as in argparse.
    std::vector<std::string> flags = sc.serve;
    flags.insert(flags.end(), cfg.serve.begin(), cfg.serve.end());
    int threads = cfg.threads.value_or(kDefaultGthreadThreads);
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (flags[i] == "--threads" && i + 1 < flags.size()) {
            if (!cfg.threads) threads = count_arg(flags[i + 1]).value_or(threads);
            flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(i), flags.begin() + static_cast<std::ptrdiff_t>(i + 2));
            --i;
        }
    }
    if (!cfg.config_file.empty()) flags.insert(flags.begin(), {"-c", cfg.config_file});
    // Read as serve will (the file, GUNICORN_CMD_ARGS, the flags), to refuse a
    // mistake before any server starts; a file's own `threads` stands for gthread.
    std::vector<std::string> all = {"-k", model};
    all.insert(all.end(), flags.begin(), flags.end());
    config::LoadedConfig loaded = config::load_gunicorn_config("", config::Host::current(""), all);
    if (loaded.status == config::LoadedConfig::Status::Help) return std::string("serve --help is not a compare flag");
    if (loaded.status == config::LoadedConfig::Status::Error) return loaded.error;
    const bool file_threads = std::any_of(loaded.origins.begin(), loaded.origins.end(), [](const config::SettingOrigin& o) {
        return o.setting && o.setting->name == std::string_view("threads") && o.source != config::Source::Default &&
               o.source != config::Source::CommandLine;
    });
    if (model == "gthread" && (cfg.threads || !file_threads)) {
        flags.insert(flags.end(), {"--threads", std::to_string(threads)});
    }
    plan.serve = std::move(flags);
    plan.workers = loaded.config.workers;

    client::LoadConfig& load = plan.load;
    auto mix = client::parse_mix(sc.mix);
    if (auto* err = std::get_if<std::string>(&mix)) return fmt::format("scenario {}: mix: {}", sc.name, *err);
    load.mix = std::get<std::vector<client::MixEntry>>(mix);
    load.virtual_users = sc.rate > 0 ? 0 : sc.connections;
    load.rate = sc.rate;
    load.duration_s = sc.duration_s;
    load.timeout_s = sc.timeout_s;
    load.keep_alive = sc.client_keep_alive ? client::KeepAlive::On : client::KeepAlive::Off;
    load.slowloris = sc.slowloris;
    load.slowloris_ms = sc.slowloris_ms;
    load.silent = sc.silent;
    load.slow_readers = sc.slow_readers;
    load.quiet = true;
    return plan;
}

std::string compare_help() {
    return R"(usage: minicorn compare [-k MODELS] (--scenario NAME | --mix SPEC | --all-scenarios)
                        [-c N | --rate R] [-d SECONDS] [CLIENT OPTIONS] [SERVE OPTIONS]
                        [--parallel] [--json | --markdown]

The same traffic through several worker models, one engine each, side by side:
"which worker should I pick?", measured on this machine. Each model gets its own
`minicorn serve` on its own loopback port, the same flags, and the same client
schedule (the same seed: the same arrivals in the open loop, the same mix picks).

what to compare:
  -k, --worker-class LIST  models, comma-separated (default: all =
                           sync,gthread,gevent,eventlet,tornado,asyncio)
  --scenario NAME          a built-in scenario (--list-scenarios shows them)
  --all-scenarios          every scenario, one table each, and the matrix: which model
                           wins each scenario and why (computed from the figures)
  --list-scenarios         the scenarios and what each sends
  --scenarios-dir DIR      read scenarios from DIR (default: assets/scenarios)

the traffic (each replaces the scenario's own; as `minicorn load` spells them):
  -c, --connections N      closed loop: N virtual users
  --rate R                 open loop: R requests a second (Poisson arrivals)
  -d, --duration T         seconds of load per model (5, 2.5, 500ms)
  --mix SPEC               PATH[:WEIGHT],... e.g. "/io?ms=50:70,/cpu?ms=10:30"
  --slowloris N, --silent N, --slow-readers N, --slowloris-ms MS   bad actors
  --idle N                 N idle keep-alive connections, opened first and held
  --client-keep-alive on|off   the client reuses connections (default on)
  --timeout-client T       a request not answered within T is a timeout error (10 s)
  --seed N                 the client's random seed (default 1; the same for every model)

the server (every other flag is `minicorn serve`'s, given to every model):
  -w, --workers N, -t/--timeout S, --keep-alive S, --worker-connections N, --gil on|off, ...
  --threads N              gthread's threads (default 4, or the config file's `threads`;
                           the other models ignore it)
  --config FILE            your gunicorn config file (gunicorn.conf.py), read by every model's
                           server as `minicorn serve -c FILE` would; -k and the flags here win
                           over it, and GUNICORN_CMD_ARGS is read too (docs/configuration.md)

how it runs and prints:
  --parallel               all models at once (they share the cores: figures are lower)
                           instead of one after another, each with the machine to itself
  --json                   one JSON object on stdout
  --markdown               the tables as Markdown
  -h, --help               this text

The table: req/s (good responses a second), latency p50 / p99 / max of the good
requests, errors by kind, server CPU per request (user + system time of the master,
its workers and the /db backend during the load, divided by the requests), resident
memory per worker, the most requests one worker ran at once (from the trace), and
WORKER TIMEOUTs. Ctrl-C stops the run; the servers are stopped, nothing is left behind.
)";
}

}  // namespace minicorn::compare
