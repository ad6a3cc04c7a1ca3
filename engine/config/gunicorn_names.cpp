// engine/config/gunicorn_names.cpp — gunicorn 20.1's setting and hook names, as data.
#include "engine/config/gunicorn_names.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>
#include <vector>

namespace minicorn::config {
namespace {

// gunicorn/config.py at 20.1.0, every Setting's name (hooks are in kHooks).
constexpr std::string_view kSettings[] = {
    "config", "wsgi_app", "bind", "backlog", "workers", "worker_class", "threads", "worker_connections",
    "max_requests", "max_requests_jitter", "timeout", "graceful_timeout", "keepalive", "limit_request_line",
    "limit_request_fields", "limit_request_field_size", "reload", "reload_engine", "reload_extra_files", "spew",
    "check_config", "print_config", "preload_app", "sendfile", "reuse_port", "chdir", "daemon", "raw_env",
    "pidfile", "worker_tmp_dir", "user", "group", "umask", "initgroups", "tmp_upload_dir", "secure_scheme_headers",
    "forwarded_allow_ips", "accesslog", "disable_redirect_access_to_syslog", "access_log_format", "errorlog",
    "loglevel", "capture_output", "logger_class", "logconfig", "logconfig_dict", "syslog_addr", "syslog",
    "syslog_prefix", "syslog_facility", "enable_stdio_inheritance", "statsd_host", "dogstatsd_tags",
    "statsd_prefix", "proc_name", "default_proc_name", "pythonpath", "paste", "proxy_protocol",
    "proxy_allow_ips", "keyfile", "certfile", "ssl_version", "cert_reqs", "ca_certs", "suppress_ragged_eofs",
    "do_handshake_on_connect", "ciphers", "raw_paste_global_conf", "strip_header_spaces"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kHooks = {{
    {"on_starting", "in the master, before it starts"},
    {"on_reload", "in the master when it reloads (HUP)"},
    {"when_ready", "in the master once it is listening"},
    {"pre_fork", "in the master just before each worker is forked"},
    {"post_fork", "in each worker right after it is forked"},
    {"post_worker_init", "in each worker after it has loaded the application"},
    {"worker_int", "in a worker that gets SIGINT or SIGQUIT"},
    {"worker_abort", "in a worker that gets SIGABRT, which the master sends on a timeout"},
    {"pre_exec", "in the master before it re-executes itself (USR2)"},
    {"pre_request", "in the worker before each request"},
    {"post_request", "in the worker after each request"},
    {"child_exit", "in the master after a worker has exited"},
    {"worker_exit", "in a worker as it exits"},
    {"nworkers_changed", "in the master when the number of workers changes"},
    {"on_exit", "in the master as it exits"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kReasons = {{
    {"wsgi_app", "minicorn serves its own simulated application (--app)"},
    {"chdir", "minicorn loads no Python code from your project"},
    {"pythonpath", "minicorn loads no Python code from your project"},
    {"raw_env", "minicorn loads no Python code that would read it"},
    {"reload", "minicorn does not watch your code for changes"},
    {"daemon", "minicorn always runs in the foreground"},
    {"user", "minicorn does not switch users"},
    {"group", "minicorn does not switch users"},
    {"certfile", "minicorn speaks plain HTTP only"},
    {"keyfile", "minicorn speaks plain HTTP only"},
    {"proc_name", "minicorn does not rename its processes"},
    {"capture_output", "minicorn's workers print nothing of their own to capture"},
    {"logconfig_dict", "minicorn's log is configured by --log-level and the log file settings only"},
    {"logconfig", "minicorn's log is configured by --log-level and the log file settings only"},
    {"statsd_host", "minicorn sends no metrics; its trace records everything instead"},
    {"forwarded_allow_ips", "minicorn does not read X-Forwarded-* headers"},
}};

// gunicorn's command-line flag where it is not "--" + name.replace('_', '-').
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kFlagExceptions = {{
    {"preload_app", "--preload"},
    {"keepalive", "--keep-alive"},
    {"accesslog", "--access-logfile"},
    {"errorlog", "--error-logfile"},
    {"loglevel", "--log-level"},
    {"pidfile", "--pid"},
}};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

const process::Setting* find_setting_by_name(std::string_view name) {
    for (const process::Setting& s : process::settings_table())
        if (s.name == name) return &s;
    std::string flag = "--" + std::string(name);
    std::replace(flag.begin(), flag.end(), '_', '-');
    for (const auto& [setting, gunicorn_flag] : kFlagExceptions)
        if (setting == name) flag = gunicorn_flag;
    for (const process::Setting& s : process::settings_table())
        if (s.long_flag == flag) return &s;
    return nullptr;
}

bool is_gunicorn_setting(std::string_view name) {
    return std::find(std::begin(kSettings), std::end(kSettings), name) != std::end(kSettings) || hook_when(name).has_value();
}

std::optional<std::string_view> hook_when(std::string_view name) {
    for (const auto& [hook, when] : kHooks)
        if (hook == name) return when;
    return std::nullopt;
}

std::string_view not_simulated_reason(std::string_view name) {
    for (const auto& [setting, reason] : kReasons)
        if (setting == name) return reason;
    return "minicorn does not simulate it";
}

std::optional<std::string> did_you_mean(std::string_view name) {
    if (name.size() < 4) return std::nullopt;
    std::optional<std::string> best;
    std::size_t best_distance = 3;
    auto consider = [&](std::string_view candidate) {
        std::size_t d = edit_distance(name, candidate);
        if (d < best_distance) best_distance = d, best = std::string(candidate);
    };
    for (std::string_view s : kSettings) consider(s);
    for (const auto& [hook, when] : kHooks) consider(hook);
    for (const process::Setting& s : process::settings_table()) consider(s.name);
    return best;
}

std::string short_worker_class(std::string_view value) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kPaths = {{
        {"gunicorn.workers.sync.SyncWorker", "sync"},
        {"gunicorn.workers.gthread.ThreadWorker", "gthread"},
        {"gunicorn.workers.ggevent.GeventWorker", "gevent"},
        {"gunicorn.workers.geventlet.EventletWorker", "eventlet"},
        {"gunicorn.workers.gtornado.TornadoWorker", "tornado"},
        {"gunicorn.workers.ggevent.GeventPyWSGIWorker", "gevent_pywsgi"},
        {"uvicorn.workers.UvicornWorker", "uvicorn"},
        {"uvicorn.workers.UvicornH11Worker", "uvicorn"},
    }};
    for (const auto& [path, name] : kPaths)
        if (value == path) return std::string(name);
    if (value.starts_with("egg:gunicorn#")) return std::string(value.substr(13));
    return std::string(value);
}

}  // namespace minicorn::config
