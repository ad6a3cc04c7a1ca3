// engine/compare/compare_report.cpp — tables (text, Markdown) and JSON.
#include "engine/compare/compare_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/client/report.h"

namespace minicorn::compare {

namespace {

using Row = std::vector<std::string>;

// Characters on screen (UTF-8: continuation bytes take no column).
std::size_t columns(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// `left`: how many columns, from the first, hold words (left-aligned); the rest are figures.
std::string render(const std::vector<Row>& rows, Style style, std::size_t left = 1) {
    std::vector<std::size_t> width;
    for (const Row& r : rows) {
        width.resize(std::max(width.size(), r.size()));
        for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], columns(r[c]));
    }
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::string line = style == Style::Markdown ? "|" : "";
        for (std::size_t c = 0; c < r.size(); ++c) {
            const std::string pad(width[c] - columns(r[c]), ' ');
            const bool words = c < left || r.size() == 1;
            const std::string cell = words ? r[c] + pad : pad + r[c];
            line += style == Style::Markdown ? " " + cell + " |" : (c ? "  " : "") + cell;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        if (i == 0 && style == Style::Markdown) {
            out += "|";
            for (std::size_t c = 0; c < r.size(); ++c) {
                out += c < left ? ":" + std::string(width[c] + 1, '-') + "|" : std::string(width[c] + 1, '-') + ":|";
            }
            out += "\n";
        }
    }
    return out;
}

// Requests still waiting for an answer when the time was up (no error yet: their timeout had not come).
std::uint64_t unanswered(const ModelResult& r) {
    const std::uint64_t failed = r.stats.error_count() - r.stats.error(trace::ClientErrorKind::Status);
    const std::uint64_t settled = r.stats.requests + failed;
    return r.stats.attempts > settled ? r.stats.attempts - settled : 0;
}

std::string errors_cell(const ModelResult& r, bool open_loop) {
    std::string out = error_words(r);
    // In the closed loop every user has one request in flight at the end, dropped
    // as wrk drops it; in the open loop more than 10 % unanswered is news.
    if (open_loop && unanswered(r) * 10 > r.stats.attempts) {
        out += fmt::format("{}{} unanswered", out.empty() ? "" : ", ", thousands(static_cast<double>(unanswered(r))));
    }
    return out.empty() ? "0" : out;
}

std::string outcome_words(const ModelResult& r) {
    switch (r.outcome) {
        case ModelResult::Outcome::Ran: return "";
        case ModelResult::Outcome::Skipped: return "skipped: " + r.note;
        case ModelResult::Outcome::Stopped: return "stopped (Ctrl-C)";
        case ModelResult::Outcome::Failed: {
            std::string first = r.note.substr(0, r.note.find('\n'));
            return "failed: " + first;
        }
    }
    return "";
}

double ms(double us) { return us / 1000.0; }

}  // namespace

std::string format_scenario(const ScenarioResult& s, Style style) {
    const Scenario& sc = s.scenario;
    const bool idle = sc.idle > 0;
    std::vector<Row> rows;
    Row head = {"model", "req/s", "p50", "p99", "max", "errors", "CPU/req", "RSS/worker", "at once", "timeouts"};
    if (idle) head.push_back("idle held");
    rows.push_back(head);
    std::vector<std::string> notes;
    for (const ModelResult& r : s.results) {
        if (r.outcome != ModelResult::Outcome::Ran) {
            notes.push_back(fmt::format("{}: {}", r.model, outcome_words(r)));
            continue;
        }
        const client::Histogram& h = r.stats.latency;
        Row row = {r.model,
                   thousands(r.good_per_s()),
                   h.count() ? client::format_us(static_cast<double>(h.percentile(50))) : "-",
                   h.count() ? client::format_us(static_cast<double>(h.percentile(99))) : "-",
                   h.count() ? client::format_us(static_cast<double>(h.max())) : "-",
                   errors_cell(r, sc.rate > 0),
                   r.stats.requests ? client::format_us(r.cpu_per_request_us()) : "-",
                   client::format_bytes(static_cast<double>(r.rss_per_worker)),
                   std::to_string(r.peak_handlers),
                   std::to_string(r.worker_timeouts)};
        if (idle) row.push_back(fmt::format("{} of {}", r.idle.held, r.idle.wanted));
        rows.push_back(row);
        if (r.events_dropped) {
            notes.push_back(fmt::format("{}: the trace lost {} events (its ring was full), so 'at once' may be too low", r.model,
                                        thousands(static_cast<double>(r.events_dropped))));
        }
    }
    std::string out;
    if (style == Style::Markdown) {
        out += fmt::format("### {}\n\n{}  \n{}\n\n", sc.name, sc.about, s.setup);
    } else {
        out += fmt::format("== {} — {}\n   {}\n\n", sc.name, sc.about, s.setup);
    }
    out += render(rows, style);
    if (style == Style::Text) {
        out += "   req/s: good responses a second · p50/p99/max: their latency · CPU/req: the server's CPU per request\n"
               "   at once: the most requests one worker ran at the same moment · timeouts: WORKER TIMEOUTs\n";
    }
    if (!notes.empty()) out += "\n";
    for (const std::string& n : notes) out += (style == Style::Markdown ? "- " : "   ") + n + "\n";
    out += fmt::format("\n{}{}\n", style == Style::Markdown ? "**Verdict:** " : "=> ", s.verdict.line);
    return out;
}

std::string format_matrix(const std::vector<ScenarioResult>& all, Style style) {
    if (all.empty()) return "";
    std::vector<std::string> models;
    for (const ScenarioResult& s : all) {
        for (const ModelResult& r : s.results) {
            if (std::find(models.begin(), models.end(), r.model) == models.end()) models.push_back(r.model);
        }
    }
    std::vector<Row> rows;
    Row head = {"scenario", "judged on"};
    head.insert(head.end(), models.begin(), models.end());
    head.push_back("wins");
    rows.push_back(head);
    for (const ScenarioResult& s : all) {
        Row row = {s.scenario.name, std::string(judge_name(s.scenario.judge))};
        for (const std::string& m : models) {
            auto it = std::find_if(s.results.begin(), s.results.end(), [&](const ModelResult& r) { return r.model == m; });
            if (it == s.results.end()) row.push_back("");
            else if (it->outcome != ModelResult::Outcome::Ran) row.push_back(it->outcome == ModelResult::Outcome::Skipped ? "skipped" : "-");
            else row.push_back(judged_figure(s.scenario.judge, *it));
        }
        row.push_back(s.verdict.winner.empty() ? "-" : s.verdict.tie ? "tie" : s.verdict.winner);
        rows.push_back(row);
    }
    std::string out = style == Style::Markdown ? "## Which worker should I pick? (measured)\n\n"
                                               : "== Which worker should I pick? (measured on this machine)\n\n";
    out += render(rows, style, 2);
    out += "\n";
    for (const ScenarioResult& s : all) out += (style == Style::Markdown ? "- " : "  ") + s.verdict.line + "\n";
    return out;
}

std::string format_json(const std::vector<ScenarioResult>& all, bool parallel) {
    nlohmann::json out;
    out["parallel"] = parallel;
    out["scenarios"] = nlohmann::json::array();
    for (const ScenarioResult& s : all) {
        nlohmann::json js;
        js["name"] = s.scenario.name;
        js["about"] = s.scenario.about;
        js["setup"] = s.setup;
        js["judge"] = std::string(judge_name(s.scenario.judge));
        js["winner"] = s.verdict.winner;
        js["tie"] = s.verdict.tie;
        js["verdict"] = s.verdict.line;
        js["models"] = nlohmann::json::array();
        for (const ModelResult& r : s.results) {
            nlohmann::json m;
            m["model"] = r.model;
            m["outcome"] = r.outcome == ModelResult::Outcome::Ran       ? "ran"
                           : r.outcome == ModelResult::Outcome::Skipped ? "skipped"
                           : r.outcome == ModelResult::Outcome::Stopped ? "stopped"
                                                                        : "failed";
            if (!r.note.empty()) m["note"] = r.note;
            const client::Histogram& h = r.stats.latency;
            m["requests"] = r.stats.requests;
            m["seconds"] = r.elapsed_s;
            m["requests_per_s"] = r.good_per_s();
            m["latency_ms"] = {{"p50", ms(static_cast<double>(h.percentile(50)))},
                               {"p99", ms(static_cast<double>(h.percentile(99)))},
                               {"max", ms(static_cast<double>(h.max()))}};
            nlohmann::json errors = nlohmann::json::object();
            for (std::size_t k = 1; k < r.stats.errors.size(); ++k) {
                errors[std::string(trace::to_string(static_cast<trace::ClientErrorKind>(k)))] = r.stats.errors[k];
            }
            m["errors"] = errors;
            m["unanswered"] = unanswered(r);
            m["cpu_s"] = r.cpu_s;
            m["cpu_per_request_us"] = r.cpu_per_request_us();
            m["rss_per_worker_bytes"] = r.rss_per_worker;
            m["peak_handlers_per_worker"] = r.peak_handlers;
            m["worker_timeouts"] = r.worker_timeouts;
            m["trace_events_dropped"] = r.events_dropped;
            if (s.scenario.idle > 0) {
                m["idle"] = {{"wanted", r.idle.wanted}, {"answered", r.idle.answered}, {"held", r.idle.held},
                             {"closed", r.idle.closed}, {"waiting", r.idle.waiting}};
            }
            js["models"].push_back(m);
        }
        out["scenarios"].push_back(js);
    }
    return out.dump() + "\n";
}

}  // namespace minicorn::compare
