#include "engine/client/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace minicorn::client {

namespace {

using trace::ClientErrorKind;
using trace::ClientRole;

constexpr ClientErrorKind kKinds[] = {ClientErrorKind::Connect, ClientErrorKind::Read,   ClientErrorKind::Write,
                                      ClientErrorKind::Timeout, ClientErrorKind::Status, ClientErrorKind::Reset};
constexpr ClientRole kBadRoles[] = {ClientRole::Slowloris, ClientRole::Silent, ClientRole::SlowReader,
                                    ClientRole::Aborter};

struct Pct {
    const char* label;
    const char* key;
    double p;
};
constexpr Pct kPercentiles[] = {{"50%", "p50", 50}, {"90%", "p90", 90}, {"99%", "p99", 99}, {"99.9%", "p99.9", 99.9}};

int bad_count(const LoadConfig& cfg, ClientRole r) {
    switch (r) {
        case ClientRole::Slowloris: return cfg.slowloris;
        case ClientRole::Silent: return cfg.silent;
        case ClientRole::SlowReader: return cfg.slow_readers;
        case ClientRole::Aborter: return cfg.aborters;
        case ClientRole::Good: return 0;
    }
    return 0;
}

std::string json_role_name(ClientRole r) {
    switch (r) {
        case ClientRole::Slowloris: return "slowloris";
        case ClientRole::Silent: return "silent";
        case ClientRole::SlowReader: return "slow_readers";
        case ClientRole::Aborter: return "aborters";
        case ClientRole::Good: return "good";
    }
    return "?";
}

double per_second(double v, double s) { return s > 0 ? v / s : 0.0; }

std::string traffic_words(const LoadConfig& cfg) {
    std::string who = cfg.open_loop() ? fmt::format("{:g} requests/s (open loop, Poisson arrivals)", cfg.rate)
                                      : fmt::format("{} virtual user{} (closed loop)", cfg.virtual_users,
                                                    cfg.virtual_users == 1 ? "" : "s");
    return fmt::format("{}, keep-alive {}, {} thread{}", who, cfg.keep_alive == KeepAlive::On ? "on" : "off",
                       cfg.threads, cfg.threads == 1 ? "" : "s");
}

}  // namespace

std::string format_us(double us) {
    if (us < 1000) return fmt::format("{:.0f}us", us);
    if (us < 1e6) return fmt::format("{:.2f}ms", us / 1e3);
    return fmt::format("{:.2f}s", us / 1e6);
}

std::string format_bytes(double bytes) {
    if (bytes < 1024) return fmt::format("{:.0f}B", bytes);
    if (bytes < 1024.0 * 1024) return fmt::format("{:.2f}KB", bytes / 1024);
    if (bytes < 1024.0 * 1024 * 1024) return fmt::format("{:.2f}MB", bytes / (1024.0 * 1024));
    return fmt::format("{:.2f}GB", bytes / (1024.0 * 1024 * 1024));
}

std::string format_banner(const LoadConfig& cfg) {
    std::string what = cfg.requests ? fmt::format("a load of {} request{}", cfg.requests, cfg.requests == 1 ? "" : "s")
                                    : fmt::format("{:g}s load", cfg.duration_s);
    std::string out = fmt::format("Running {} @ {}\n  {}\n", what, cfg.url.text(), traffic_words(cfg));
    if (cfg.mix.size() > 1 || cfg.mix.front().path != cfg.url.target) {
        std::string mix;
        for (const MixEntry& m : cfg.mix) mix += fmt::format("{}{}:{}", mix.empty() ? "" : ", ", m.path, m.weight);
        out += fmt::format("  mix: {}\n", mix);
    }
    std::string bad;
    for (ClientRole r : kBadRoles) {
        if (int n = bad_count(cfg, r)) bad += fmt::format("{}{} {}", bad.empty() ? "" : ", ", n, trace::to_string(r));
    }
    if (!bad.empty()) out += fmt::format("  bad actors: {} (tick {} ms)\n", bad, cfg.slowloris_ms);
    return out;
}

std::string format_text(const RunSummary& run) {
    const LoadConfig& cfg = *run.cfg;
    const LoadStats& s = run.stats;
    const Histogram& h = s.latency;
    std::string out;
    if (h.count() == 0) {
        out += "  Latency: no responses\n";
    } else {
        out += "  Latency (HDR histogram, within 1%)";
        out += fmt::format("   mean {}  stdev {}\n", format_us(h.mean()), format_us(h.stdev()));
        for (const Pct& p : kPercentiles) {
            out += fmt::format("  {:>7}  {:>10}\n", p.label, format_us(static_cast<double>(h.percentile(p.p))));
        }
        out += fmt::format("  {:>7}  {:>10}\n", "max", format_us(static_cast<double>(h.max())));
    }
    out += fmt::format("  {} requests in {:.2f}s, {} read, {} written\n", s.requests, run.elapsed_s,
                       format_bytes(static_cast<double>(s.bytes_read)), format_bytes(static_cast<double>(s.bytes_written)));
    if (cfg.mix.size() > 1) {
        for (std::size_t i = 0; i < cfg.mix.size(); ++i) {
            out += fmt::format("    {:<24} {}\n", cfg.mix[i].path, s.per_mix[i]);
        }
    }
    std::string classes;
    for (std::size_t c = 1; c < s.status_class.size(); ++c) {
        if (s.status_class[c]) classes += fmt::format("{}{}xx {}", classes.empty() ? "" : ", ", c, s.status_class[c]);
    }
    if (s.status_class[0]) classes += fmt::format("{}other {}", classes.empty() ? "" : ", ", s.status_class[0]);
    if (!classes.empty()) out += fmt::format("  Status: {}\n", classes);
    if (s.error_count() == 0) {
        out += "  Errors: none\n";
    } else {
        std::string kinds;
        for (ClientErrorKind k : kKinds) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", trace::to_string(k), s.error(k));
        out += fmt::format("  Errors: {} ({})\n", s.error_count(), kinds);
    }
    if (s.idle_closed) out += fmt::format("  Keep-alive connections the server closed while idle: {}\n", s.idle_closed);
    if (s.dropped_arrivals) {
        out += fmt::format("  Arrivals dropped (all {} connections busy): {}\n", cfg.max_connections, s.dropped_arrivals);
    }
    for (ClientRole r : kBadRoles) {
        int n = bad_count(cfg, r);
        if (!n) continue;
        const RoleStats& rs = s.roles[static_cast<std::size_t>(r)];
        out += fmt::format("  Bad actors, {} x{}: {} connections, {} responses, {} cut by the server\n",
                           trace::to_string(r), n, rs.connections, rs.responses, rs.cut);
    }
    out += fmt::format("Requests/sec: {:>10.2f}\n", per_second(static_cast<double>(s.requests), run.elapsed_s));
    out += fmt::format("Transfer/sec: {:>10}\n", format_bytes(per_second(static_cast<double>(s.bytes_read), run.elapsed_s)));
    if (run.interrupted) out += "(interrupted: the results so far)\n";
    return out;
}

std::string format_json(const RunSummary& run) {
    const LoadConfig& cfg = *run.cfg;
    const LoadStats& s = run.stats;
    const Histogram& h = s.latency;
    nlohmann::ordered_json j;
    j["url"] = cfg.url.text();
    j["mode"] = cfg.open_loop() ? "open" : "closed";
    j["virtual_users"] = cfg.virtual_users;
    j["rate"] = cfg.rate;
    j["keep_alive"] = cfg.keep_alive == KeepAlive::On;
    j["threads"] = cfg.threads;
    j["duration_s"] = run.elapsed_s;
    j["interrupted"] = run.interrupted;
    j["requests"] = s.requests;
    j["attempts"] = s.attempts;
    j["requests_per_sec"] = per_second(static_cast<double>(s.requests), run.elapsed_s);
    j["bytes_read"] = s.bytes_read;
    j["bytes_written"] = s.bytes_written;
    j["transfer_per_sec"] = per_second(static_cast<double>(s.bytes_read), run.elapsed_s);
    j["connects"] = s.connects;
    nlohmann::ordered_json lat;
    for (const Pct& p : kPercentiles) lat[p.key] = h.percentile(p.p);
    lat["max"] = h.max();
    lat["min"] = h.min();
    lat["mean"] = h.mean();
    lat["stdev"] = h.stdev();
    j["latency_us"] = lat;
    nlohmann::ordered_json errors;
    for (ClientErrorKind k : kKinds) errors[std::string(trace::to_string(k))] = s.error(k);
    errors["total"] = s.error_count();
    j["errors"] = errors;
    nlohmann::ordered_json status;
    for (std::size_t c = 1; c < s.status_class.size(); ++c) status[fmt::format("{}xx", c)] = s.status_class[c];
    status["other"] = s.status_class[0];
    j["status"] = status;
    nlohmann::ordered_json mix = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < cfg.mix.size(); ++i) {
        mix.push_back({{"path", cfg.mix[i].path}, {"weight", cfg.mix[i].weight}, {"requests", s.per_mix[i]}});
    }
    j["mix"] = mix;
    j["idle_closed"] = s.idle_closed;
    j["dropped_arrivals"] = s.dropped_arrivals;
    nlohmann::ordered_json bad;
    for (ClientRole r : kBadRoles) {
        const RoleStats& rs = s.roles[static_cast<std::size_t>(r)];
        bad[json_role_name(r)] = {{"count", bad_count(cfg, r)},
                                  {"connections", rs.connections},
                                  {"responses", rs.responses},
                                  {"cut", rs.cut}};
    }
    j["bad_actors"] = bad;
    return j.dump() + "\n";
}

std::string format_progress(double seconds, std::uint64_t done, std::uint64_t done_last_second, std::uint64_t errors,
                            std::int64_t open) {
    return fmt::format("\r  {:5.1f}s  {:>9} requests  {:>8} req/s  errors {:<6}  open {:<6}", seconds, done,
                       done_last_second, errors, open);
}

}  // namespace minicorn::client
