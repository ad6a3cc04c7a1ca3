// engine/compare/verdict.cpp — the winner, and the figures that explain it.
#include "engine/compare/verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/client/report.h"

namespace minicorn::compare {

namespace {

constexpr double kTie = 1.3;  // within this factor of the winner, a model is "as good"

// Higher is better for every score (latency and CPU are inverted).
double score(Judge j, const ModelResult& r) {
    switch (j) {
        case Judge::Throughput: return r.good_per_s();
        case Judge::Latency: return r.good_per_s() > 0 ? 1.0 / std::max(1.0, r.p99_us()) : 0;
        case Judge::Cpu: return r.stats.requests ? 1.0 / std::max(0.01, r.cpu_per_request_us()) : 0;
        case Judge::IdleHeld: return r.idle.held + r.good_per_s() * 1e-9;  // requests a second break a tie
    }
    return 0;
}

// Why `w` beat `l`: the figures where they differ most, in plain words.
std::vector<std::string> reasons(const ModelResult& w, const ModelResult& l) {
    std::vector<std::string> out;
    if (w.peak_handlers >= 2 * std::max(1, l.peak_handlers)) {
        out.push_back(fmt::format("{} ran up to {} requests at once in one worker, {} {}", w.model, w.peak_handlers,
                                  l.model, l.peak_handlers));
    }
    if (l.worker_timeouts > w.worker_timeouts) {
        out.push_back(fmt::format("{} had {} WORKER TIMEOUT{}", l.model, l.worker_timeouts,
                                  l.worker_timeouts == 1 ? "" : "s"));
    }
    if (l.stats.error_count() > 2 * w.stats.error_count() + 2) {
        out.push_back(fmt::format("{} had {} errors ({})", l.model, thousands(static_cast<double>(l.stats.error_count())),
                                  error_words(l)));
    }
    if (l.idle.wanted > 0 && l.idle.held < w.idle.held) {
        out.push_back(fmt::format("{} held {} of {} idle connections ({} closed, {} never answered)", l.model,
                                  l.idle.held, l.idle.wanted, l.idle.closed, l.idle.waiting));
    }
    if (w.stats.requests && l.stats.requests && l.cpu_per_request_us() > 1.5 * w.cpu_per_request_us()) {
        out.push_back(fmt::format("{} spent {:.1f}× the CPU per request", l.model,
                                  l.cpu_per_request_us() / std::max(0.01, w.cpu_per_request_us())));
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep = "; ") {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : sep) + parts[i];
    return out;
}

// A tie: what did not matter, and who did it cheapest.
std::vector<std::string> tie_reasons(const std::vector<const ModelResult*>& ran, const std::string& by) {
    std::vector<std::string> why;
    int most = 0, least = 1 << 30;
    for (const ModelResult* r : ran) {
        most = std::max(most, r->peak_handlers);
        least = std::min(least, r->peak_handlers);
    }
    if (most >= 2 * std::max(1, least)) {
        why.push_back(fmt::format("running more requests at once (up to {} per worker, against {}) bought no {}", most,
                                  least, by));
    }
    const ModelResult* frugal = *std::min_element(ran.begin(), ran.end(), [](const ModelResult* a, const ModelResult* b) {
        return a->cpu_per_request_us() < b->cpu_per_request_us();
    });
    why.push_back(fmt::format("{} used the least CPU per request ({})", frugal->model,
                              client::format_us(frugal->cpu_per_request_us())));
    return why;
}

}  // namespace

std::string error_words(const ModelResult& r) {
    std::string out;
    for (std::size_t k = 1; k < r.stats.errors.size(); ++k) {
        if (!r.stats.errors[k]) continue;
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", thousands(static_cast<double>(r.stats.errors[k])),
                           trace::to_string(static_cast<trace::ClientErrorKind>(k)));
    }
    return out;
}

std::string thousands(double v) {
    std::string digits = fmt::format("{:.0f}", std::round(v));
    std::string out;
    int n = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (n && n % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++n;
    }
    return out;
}

std::string judged_figure(Judge j, const ModelResult& r) {
    switch (j) {
        case Judge::Throughput: return thousands(r.good_per_s()) + " req/s";
        case Judge::Latency:
            return r.good_per_s() > 0 ? "p99 " + client::format_us(r.p99_us()) : std::string("no good response");
        case Judge::Cpu: return client::format_us(r.cpu_per_request_us()) + " CPU/req";
        case Judge::IdleHeld: return fmt::format("{} of {} held", thousands(r.idle.held), thousands(r.idle.wanted));
    }
    return "?";
}

Verdict judge_scenario(const Scenario& sc, const std::vector<ModelResult>& results) {
    Verdict v;
    std::vector<const ModelResult*> ran;
    for (const ModelResult& r : results) {
        if (r.outcome == ModelResult::Outcome::Ran) ran.push_back(&r);
    }
    if (ran.empty()) {
        v.line = fmt::format("{}: no model ran", sc.name);
        return v;
    }
    std::stable_sort(ran.begin(), ran.end(),
                     [&](const ModelResult* a, const ModelResult* b) { return score(sc.judge, *a) > score(sc.judge, *b); });
    const ModelResult& w = *ran.front();
    const ModelResult& l = *ran.back();
    v.winner = w.model;
    v.loser = l.model;
    const double sl = score(sc.judge, l);
    v.ratio = sl > 0 ? score(sc.judge, w) / sl : 0;
    v.tie = ran.size() > 1 && sl > 0 && v.ratio < kTie;
    const std::string by = std::string(judge_name(sc.judge));
    if (ran.size() == 1) {
        v.line = fmt::format("{}: only {} ran ({})", sc.name, w.model, judged_figure(sc.judge, w));
        return v;
    }
    if (v.tie) {
        v.line = fmt::format("{}: a tie on {} — every model within {:.2f}× ({} {} … {} {})", sc.name, by, v.ratio,
                             w.model, judged_figure(sc.judge, w), l.model, judged_figure(sc.judge, l));
        v.line += ": " + join(tie_reasons(ran, by));
        return v;
    }
    // The winners: every model within kTie of the best.
    std::vector<const ModelResult*> top;
    for (const ModelResult* r : ran) {
        if (score(sc.judge, *r) * kTie >= score(sc.judge, w)) top.push_back(r);
    }
    std::vector<std::string> names;
    for (const ModelResult* r : top) names.push_back(r->model);
    const std::string better = v.ratio > 0 && v.ratio < 1e6 ? fmt::format("{:.1f}× better than", v.ratio) : "against";
    v.line = fmt::format("{}: {} win{} on {} — {}", sc.name, join(names, ", "), top.size() == 1 ? "s" : "", by,
                         judged_figure(sc.judge, w));
    if (top.size() > 1) v.line += fmt::format(" (the others within {:.1f}× of it)", kTie);
    if (l.good_per_s() > 0) v.line += fmt::format(", {} {}'s {}", better, l.model, judged_figure(sc.judge, l));
    if (top.size() == 1 && ran.size() > 2) {
        v.line += fmt::format(" (runner-up {}: {})", ran[1]->model, judged_figure(sc.judge, *ran[1]));
    }
    std::vector<std::string> why = reasons(w, l);
    if (!why.empty()) v.line += "; because " + join(why);
    // Models that answered nothing while others did: whatever else they scored, the learner must see it.
    std::vector<std::string> silent;
    for (const ModelResult* r : ran) {
        if (r->good_per_s() == 0 && w.good_per_s() > 0) silent.push_back(r->model);
    }
    if (!silent.empty()) {
        v.line += fmt::format("; {} answered none of the new requests", join(silent, ", "));
    }
    return v;
}

}  // namespace minicorn::compare
