// engine/client/report.h — the results of a load run, as wrk prints them
// (text) and as one JSON object (--json); and the live progress line.
//
// Pure formatting: no I/O here.
#pragma once

#include <cstdint>
#include <string>

#include "engine/client/load_config.h"
#include "engine/client/load_stats.h"

namespace minicorn::client {

struct RunSummary {
    const LoadConfig* cfg = nullptr;
    LoadStats stats;         // merged over the engine threads
    double elapsed_s = 0;    // the measured run (good users' start to the end)
    bool interrupted = false;  // SIGINT/SIGTERM stopped it
};

// "Running 5s load @ http://127.0.0.1:8000/ …" — what is about to happen.
std::string format_banner(const LoadConfig& cfg);
// The results, wrk-style.
std::string format_text(const RunSummary& run);
// The results as a JSON object (one line, then "\n").
std::string format_json(const RunSummary& run);
// "\r  3.0s  41,203 req/s  errors 0  open 100" for a terminal, once a second.
std::string format_progress(double seconds, std::uint64_t done, std::uint64_t done_last_second, std::uint64_t errors,
                            std::int64_t open);

// 1234 µs → "1.23ms"; 1.5e6 → "1.50s"; 87 → "87us".
std::string format_us(double us);
// 1536 → "1.50KB", 3.2e6 → "3.05MB" (binary units, as wrk).
std::string format_bytes(double bytes);

}  // namespace minicorn::client
