// engine/process/config.h — the values of every setting, typed.
//
// Filled from the settings table (settings.h), which owns names, flags,
// defaults, validation and help. Defaults here are gunicorn 20.1's.
#pragma once

#include <string>
#include <vector>

#include "engine/http/access_log.h"

namespace minicorn::wsgi {
struct ImportOptions;
}

namespace minicorn::process {


struct Config {
    // Server socket
    std::vector<std::string> bind;  // empty → 127.0.0.1:8000 (or 0.0.0.0:$PORT)
    int backlog = 2048;
    bool reuse_port = false;

    // Worker processes
    int workers = 1;
    std::string worker_class = "sync";
    int threads = 1;
    int worker_connections = 1000;
    int max_requests = 0;
    int max_requests_jitter = 0;
    int timeout = 30;
    int graceful_timeout = 30;
    int keepalive = 2;
    std::string poller = "epoll";  // tornado's IOLoop backend: "epoll" | "poll" | "select"

    // Security
    int limit_request_line = 4094;
    int limit_request_fields = 100;
    int limit_request_field_size = 8190;

    // Logging
    std::string accesslog;  // empty: off; "-": stdout
    std::string access_log_format{http::kDefaultAccessLogFormat};
    std::string errorlog = "-";
    std::string loglevel = "info";

    // Server mechanics
    std::string pidfile;
    std::string worker_tmp_dir;  // empty: the system temp dir
    bool preload_app = false;    // --preload: import the app in the master, before fork

    // minicorn: the simulated Python application
    std::string gil = "on";       // "on" | "off"
    std::string app = "demo";     // "demo" | "broken"
    int app_load_ms = 0;          // simulated import time of the app
    int app_size_mb = 0;          // memory the app allocates and touches at import
    std::string app_version_file; // what /version reads at import; empty: a private file holding "1"
    bool db_at_import = false;    // the app opens its /db connection at import, for every request
    int heartbeat_delay_ms = 0;   // simulated slow disk: each heartbeat write stalls this long (not on tmpfs)

    // minicorn: the trace
    std::string trace_file;  // --trace FILE: record, then write FILE (.json: Perfetto; else a recording)
    int trace_fd = 0;        // --trace-fd N: emit into the region an observer created (0: none)

    // The bind addresses in force (the default if none was given).
    std::vector<std::string> binds() const;

    // gunicorn's Config.worker_class: sync with threads > 1 is gthread.
    std::string effective_worker_class() const;
};

// What the app's import does under these settings (wsgi/app_module.h);
// `patched`: the importing process has monkey-patched (a gevent/eventlet worker).
wsgi::ImportOptions app_import_options(const Config& cfg, bool patched);

}  // namespace minicorn::process
