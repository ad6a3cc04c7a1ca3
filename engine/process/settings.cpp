// engine/process/settings.cpp — the settings table and the `serve` argument parser.
//
// Index:
//   [SECTION] Value parsers — what a good value looks like, per kind
//   [SECTION] The table     — one row per setting, gunicorn 20.1's defaults
//   [SECTION] Parsing       — argv → Config, errors that name the flag
//   [SECTION] Help          — `minicorn serve --help`
#include "engine/process/settings.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "engine/http/access_log.h"
#include "engine/net/address.h"
#include "engine/process/log.h"
#include "engine/wsgi/app_module.h"

namespace minicorn::process {

std::vector<std::string> Config::binds() const {
    if (!bind.empty()) return bind;
    // gunicorn: 0.0.0.0:$PORT when PORT is set, else 127.0.0.1:8000.
    if (const char* port = std::getenv("PORT"); port && *port) return {std::string("0.0.0.0:") + port};
    return {"127.0.0.1:8000"};
}

wsgi::ImportOptions app_import_options(const Config& cfg, bool patched) {
    wsgi::ImportOptions o;
    o.size_mb = static_cast<std::size_t>(cfg.app_size_mb);
    o.version_file = cfg.app_version_file;
    o.db_at_import = cfg.db_at_import;
    o.patched = patched;
    return o;
}

std::string Config::effective_worker_class() const {
    if (worker_class == "sync" && threads > 1) return "gthread";
    return worker_class;
}

// ============================================================================
// [SECTION] Value parsers
// ============================================================================
namespace {

std::optional<std::string> parse_non_negative(std::string_view text, int& out) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        if (ec == std::errc::result_out_of_range) return fmt::format("'{}' is too large", text);
        return fmt::format("'{}' is not an integer", text);
    }
    if (value < 0) return fmt::format("value must be positive: {}", value);
    out = value;
    return std::nullopt;
}

template <auto Member>
std::optional<std::string> apply_int(Config& c, std::string_view v) {
    return parse_non_negative(v, c.*Member);
}
template <auto Member>
std::string show_int(const Config& c) {
    return std::to_string(c.*Member);
}
template <auto Member>
std::optional<std::string> apply_string(Config& c, std::string_view v) {
    c.*Member = std::string(v);
    return std::nullopt;
}
template <auto Member>
std::string show_string(const Config& c) {
    const std::string& s = c.*Member;
    return s.empty() ? "None" : s;
}

template <auto Member, const std::span<const std::string_view>& Choices>
std::optional<std::string> apply_choice(Config& c, std::string_view v) {
    for (std::string_view choice : Choices) {
        if (v == choice) {
            c.*Member = std::string(v);
            return std::nullopt;
        }
    }
    std::string list;
    for (std::string_view choice : Choices) list += (list.empty() ? "" : ", ") + std::string(choice);
    return fmt::format("invalid choice: '{}' (choose from {})", v, list);
}

std::optional<std::string> apply_bind(Config& c, std::string_view v) {
    auto parsed = net::parse_bind_address(v);
    if (auto* err = std::get_if<std::string>(&parsed)) return *err;
    c.bind.emplace_back(v);
    return std::nullopt;
}
std::string show_bind(const Config& c) {
    std::string out;
    for (const std::string& b : c.binds()) out += (out.empty() ? "" : ", ") + b;
    return out;
}

std::optional<std::string> apply_loglevel(Config& c, std::string_view v) {
    if (!parse_log_level(v)) return fmt::format("invalid choice: '{}' (choose from debug, info, warning, error, critical)", v);
    c.loglevel = std::string(v);
    return std::nullopt;
}

std::optional<std::string> apply_reuse_port(Config& c, std::string_view) {
    c.reuse_port = true;
    return std::nullopt;
}
std::string show_reuse_port(const Config& c) { return c.reuse_port ? "True" : "False"; }

template <bool Config::*Member>
std::optional<std::string> apply_flag(Config& c, std::string_view) {
    c.*Member = true;
    return std::nullopt;
}
template <bool Config::*Member>
std::string show_flag(const Config& c) {
    return c.*Member ? "True" : "False";
}

std::optional<std::string> apply_access_format(Config& c, std::string_view v);

constexpr std::string_view kWorkerClassArr[] = {"sync",    "gthread", "eventlet", "gevent",
                                                 "tornado", "asyncio", "uvicorn"};
constexpr std::span<const std::string_view> kWorkerClasses{kWorkerClassArr};
constexpr std::string_view kGilArr[] = {"on", "off"};
constexpr std::span<const std::string_view> kGilModes{kGilArr};
constexpr std::string_view kAppArr[] = {"demo", "broken"};
constexpr std::span<const std::string_view> kApps{kAppArr};
constexpr std::string_view kPollerArr[] = {"epoll", "poll", "select"};
constexpr std::span<const std::string_view> kPollers{kPollerArr};
constexpr std::string_view kLevelArr[] = {"debug", "info", "warning", "error", "critical"};
constexpr std::span<const std::string_view> kLevels{kLevelArr};

}  // namespace

// ============================================================================
// [SECTION] The table
// ============================================================================
const std::vector<Setting>& settings_table() {
    using K = SettingKind;
    static const std::vector<Setting> table = {
        // --- Server socket ---
        {"bind", "Server socket", "-b", "--bind", K::List, "ADDRESS",
         "The socket to bind: HOST, HOST:PORT, [IPV6]:PORT or unix:PATH. Repeat to listen on several. "
         "Default 127.0.0.1:8000 (0.0.0.0:$PORT when PORT is set).",
         {}, apply_bind, show_bind},
        {"backlog", "Server socket", "", "--backlog", K::Int, "INT",
         "The most pending connections the kernel queues before accept (capped by net.core.somaxconn).",
         {}, apply_int<&Config::backlog>, show_int<&Config::backlog>},
        {"reuse_port", "Server socket", "", "--reuse-port", K::Flag, "",
         "Set SO_REUSEPORT on the listening socket. As in gunicorn 20.1 the master binds once and every "
         "worker shares that socket, so this does not spread load across workers.",
         {}, apply_reuse_port, show_reuse_port},

        // --- Worker processes ---
        {"workers", "Worker processes", "-w", "--workers", K::Int, "INT",
         "The number of worker processes the master forks.",
         {}, apply_int<&Config::workers>, show_int<&Config::workers>},
        {"worker_class", "Worker processes", "-k", "--worker-class", K::Choice, "STRING",
         "The worker model: sync, gthread, eventlet, gevent, tornado, or asyncio (uvicorn's ASGI worker; "
         "'uvicorn' is an alias). "
         "sync with --threads above 1 becomes gthread, as in gunicorn.",
         kWorkerClasses, apply_choice<&Config::worker_class, kWorkerClasses>, show_string<&Config::worker_class>},
        {"threads", "Worker processes", "", "--threads", K::Int, "INT",
         "Threads per worker for gthread (ignored by the other models).",
         {}, apply_int<&Config::threads>, show_int<&Config::threads>},
        {"worker_connections", "Worker processes", "", "--worker-connections", K::Int, "INT",
         "The most simultaneous clients per worker (gthread, eventlet, gevent).",
         {}, apply_int<&Config::worker_connections>, show_int<&Config::worker_connections>},
        {"max_requests", "Worker processes", "", "--max-requests", K::Int, "INT",
         "Restart a worker after this many requests (0: never).",
         {}, apply_int<&Config::max_requests>, show_int<&Config::max_requests>},
        {"max_requests_jitter", "Worker processes", "", "--max-requests-jitter", K::Int, "INT",
         "Add a random 0..N to max_requests per worker, so workers do not all restart at once.",
         {}, apply_int<&Config::max_requests_jitter>, show_int<&Config::max_requests_jitter>},
        {"timeout", "Worker processes", "-t", "--timeout", K::Int, "INT",
         "Seconds a worker may stay silent (no heartbeat) before the master kills it: WORKER TIMEOUT. "
         "0 disables the check.",
         {}, apply_int<&Config::timeout>, show_int<&Config::timeout>},
        {"graceful_timeout", "Worker processes", "", "--graceful-timeout", K::Int, "INT",
         "Seconds workers get to finish after a graceful stop (TERM, HUP) before SIGKILL.",
         {}, apply_int<&Config::graceful_timeout>, show_int<&Config::graceful_timeout>},
        {"keepalive", "Worker processes", "", "--keep-alive", K::Int, "INT",
         "Seconds to wait for the next request on a kept-alive connection (ignored by sync).",
         {}, apply_int<&Config::keepalive>, show_int<&Config::keepalive>},
        {"poller", "Worker processes", "", "--poller", K::Choice, "epoll|poll|select",
         "The tornado worker's IOLoop backend (tornado's selector choice): epoll, poll or select.",
         kPollers, apply_choice<&Config::poller, kPollers>, show_string<&Config::poller>},

        // --- Security ---
        {"limit_request_line", "Security", "", "--limit-request-line", K::Int, "INT",
         "The longest request line accepted, in bytes (0: unlimited; values of 8190 and up mean 8190).",
         {}, apply_int<&Config::limit_request_line>, show_int<&Config::limit_request_line>},
        {"limit_request_fields", "Security", "", "--limit-request-fields", K::Int, "INT",
         "The most header fields accepted in a request (0 or above 32768: 32768).",
         {}, apply_int<&Config::limit_request_fields>, show_int<&Config::limit_request_fields>},
        {"limit_request_field_size", "Security", "", "--limit-request-field_size", K::Int, "INT",
         "The largest header field accepted, in bytes (0: unlimited).",
         {}, apply_int<&Config::limit_request_field_size>, show_int<&Config::limit_request_field_size>},

        // --- Logging ---
        {"accesslog", "Logging", "", "--access-logfile", K::String, "FILE",
         "Where to write the access log; '-' is stdout. Off unless set.",
         {}, apply_string<&Config::accesslog>, show_string<&Config::accesslog>},
        {"access_log_format", "Logging", "", "--access-logformat", K::String, "STRING",
         "The access log line, with gunicorn's atoms: %(h)s %(r)s %(s)s %(b)s %(M)s %({header}i)s ...",
         {}, apply_access_format, show_string<&Config::access_log_format>},
        {"errorlog", "Logging", "", "--error-logfile", K::String, "FILE",
         "Where to write the error log; '-' is stderr.",
         {}, apply_string<&Config::errorlog>, show_string<&Config::errorlog>},
        {"loglevel", "Logging", "", "--log-level", K::Choice, "LEVEL",
         "The least important error-log lines shown: debug, info, warning, error or critical.",
         kLevels, apply_loglevel, show_string<&Config::loglevel>},

        // --- Server mechanics ---
        {"pidfile", "Server mechanics", "-p", "--pid", K::String, "FILE",
         "Write the master's pid to this file.",
         {}, apply_string<&Config::pidfile>, show_string<&Config::pidfile>},
        {"worker_tmp_dir", "Server mechanics", "", "--worker-tmp-dir", K::String, "DIR",
         "Where the heartbeat files live (the system temp dir if unset).",
         {}, apply_string<&Config::worker_tmp_dir>, show_string<&Config::worker_tmp_dir>},
        {"preload_app", "Server mechanics", "", "--preload", K::Flag, "",
         "Load the application in the master before forking the workers: they share its memory "
         "copy-on-write, and HUP then cannot load new code (the workers keep what the master imported).",
         {}, apply_flag<&Config::preload_app>, show_flag<&Config::preload_app>},

        // --- minicorn: the simulated application ---
        {"gil", "Simulated Python (minicorn)", "", "--gil", K::Choice, "on|off",
         "Simulate CPython's GIL in each worker (switch interval 5 ms). 'off' lets threads run in parallel, to compare.",
         kGilModes, apply_choice<&Config::gil, kGilModes>, show_string<&Config::gil>},
        {"app", "Simulated Python (minicorn)", "", "--app", K::Choice, "NAME",
         "The application: 'demo' (routes /, /io, /db, /cpu, /block, /stream, /fanout, /threads, /echo, /headers, /crash, /hang, /version, /deploy) "
         "or 'broken' (fails to import: workers exit 4 and the master halts).",
         kApps, apply_choice<&Config::app, kApps>, show_string<&Config::app>},
        {"app_load_ms", "Simulated Python (minicorn)", "", "--app-load-ms", K::Int, "MS",
         "Simulated import time of the application in each worker, in milliseconds "
         "(a slow boot longer than --timeout is killed, as in gunicorn 20.1).",
         {}, apply_int<&Config::app_load_ms>, show_int<&Config::app_load_ms>},
        {"app_size_mb", "Simulated Python (minicorn)", "", "--app-size-mb", K::Int, "MB",
         "Memory the application allocates and fills when it is imported, in MiB (its modules, a model it "
         "loads): with --preload one copy in the master, shared by the workers; without, one per worker.",
         {}, apply_int<&Config::app_size_mb>, show_int<&Config::app_size_mb>},
        {"app_version_file", "Simulated Python (minicorn)", "", "--app-version-file", K::String, "FILE",
         "The file the application reads its version from when it is imported (/version answers it, "
         "/deploy?version=N writes it). Unset: a private file that starts at 1.",
         {}, apply_string<&Config::app_version_file>, show_string<&Config::app_version_file>},
        {"db_at_import", "Simulated Python (minicorn)", "", "--db-at-import", K::Flag, "",
         "The application opens its /db connection when it is imported, and every /db request reuses it "
         "(with --preload under gevent or eventlet: opened before the worker patches, so it blocks).",
         {}, apply_flag<&Config::db_at_import>, show_flag<&Config::db_at_import>},
        {"heartbeat_delay_ms", "Simulated Python (minicorn)", "", "--heartbeat-delay-ms", K::Int, "MS",
         "A simulation of a slow disk under the heartbeat file: each heartbeat write stalls MS "
         "milliseconds, unless --worker-tmp-dir is in memory (tmpfs, such as /dev/shm).",
         {}, apply_int<&Config::heartbeat_delay_ms>, show_int<&Config::heartbeat_delay_ms>},

        // --- minicorn: the trace ---
        {"trace", "Trace (minicorn)", "", "--trace", K::String, "FILE",
         "Record everything the master and workers do, and write it to FILE when the server stops: "
         "Chrome/Perfetto JSON if FILE ends in .json (open it at ui.perfetto.dev), else a recording "
         "for `minicorn export`.",
         {}, apply_string<&Config::trace_file>, show_string<&Config::trace_file>},
        {"trace_fd", "Trace (minicorn)", "", "--trace-fd", K::Int, "FD",
         "Emit events into the shared-memory region an observer (the studio, a test) created and "
         "passed as descriptor FD. 0: none.",
         {}, apply_int<&Config::trace_fd>, show_int<&Config::trace_fd>},
    };
    return table;
}

const Setting* find_setting_by_flag(std::string_view flag) {
    for (const Setting& s : settings_table()) {
        if (flag == s.long_flag || (!s.short_flag.empty() && flag == s.short_flag)) return &s;
    }
    return nullptr;
}

// ============================================================================
// [SECTION] Parsing
// ============================================================================
namespace {

std::string flag_names(const Setting& s) {
    return s.short_flag.empty() ? std::string(s.long_flag) : fmt::format("{}/{}", s.short_flag, s.long_flag);
}

}  // namespace

ParseOutcome split_serve_args(std::span<const std::string> args, std::vector<SettingUse>& uses) {
    auto error = [](std::string msg) { return ParseOutcome{ParseOutcome::Status::Error, std::move(msg)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") return {ParseOutcome::Status::Help, ""};
        if (arg.size() < 2 || arg[0] != '-') return error(fmt::format("unrecognized argument: '{}'", arg));

        std::string_view flag = arg;
        std::optional<std::string_view> inline_value;
        if (arg.starts_with("--")) {
            if (auto eq = arg.find('='); eq != std::string_view::npos) {
                flag = arg.substr(0, eq);
                inline_value = arg.substr(eq + 1);
            }
        } else if (arg.size() > 2) {  // "-w2"
            flag = arg.substr(0, 2);
            inline_value = arg.substr(2);
        }

        const Setting* setting = find_setting_by_flag(flag);
        if (!setting) return error(fmt::format("unrecognized argument: '{}' (see minicorn serve --help)", flag));

        std::string_view value;
        if (setting->kind == SettingKind::Flag) {
            if (inline_value) return error(fmt::format("argument {}: takes no value", flag_names(*setting)));
        } else if (inline_value) {
            value = *inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return error(fmt::format("argument {}: expected a value ({})", flag_names(*setting), setting->metavar));
        }
        uses.push_back(SettingUse{setting, std::string(value)});
    }
    return {};
}

ParseOutcome parse_serve_args(std::span<const std::string> args, Config& config) {
    std::vector<SettingUse> uses;
    ParseOutcome outcome = split_serve_args(args, uses);
    if (outcome.status != ParseOutcome::Status::Ok) return outcome;
    for (const SettingUse& use : uses) {
        if (auto problem = use.setting->apply(config, use.value)) {
            return {ParseOutcome::Status::Error, fmt::format("argument {}: {}", flag_names(*use.setting), *problem)};
        }
    }
    return {};
}

// ============================================================================
// [SECTION] Help
// ============================================================================
std::string serve_help() {
    std::string out =
        "usage: minicorn serve [OPTIONS]\n\n"
        "Run the engine: a master that forks workers, each serving the demo application\n"
        "with the chosen worker model, as gunicorn 20.1 does. Flags and defaults are gunicorn's.\n";
    const Config defaults;
    std::string_view section;
    for (const Setting& s : settings_table()) {
        if (s.section != section) {
            section = s.section;
            out += fmt::format("\n{}:\n", section);
        }
        std::string flags = s.short_flag.empty() ? fmt::format("    {}", s.long_flag)
                                                 : fmt::format("{}, {}", s.short_flag, s.long_flag);
        if (!s.metavar.empty()) flags += " " + std::string(s.metavar);
        out += fmt::format("  {:<34} {}", flags, s.help);
        if (s.kind != SettingKind::Flag) out += fmt::format(" [default: {}]", s.show(defaults));
        out += "\n";
    }
    out += "\n  -h, --help                         show this help and exit\n";
    return out;
}

}  // namespace minicorn::process

namespace minicorn::process {
namespace {
std::optional<std::string> apply_access_format(Config& c, std::string_view v) {
    if (auto problem = http::validate_access_log_format(v)) return problem;
    c.access_log_format = std::string(v);
    return std::nullopt;
}
}  // namespace
}  // namespace minicorn::process
