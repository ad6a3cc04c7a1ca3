// app/studio/panels/metrics.cpp — see metrics.h.
#include "app/studio/panels/metrics.h"
#include "engine/trace/ev.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace minicorn::studio {

using trace::EventKind;

namespace {

std::size_t latency_bin(double ms) {
    for (std::size_t i = 0; i < kLatencyBins; ++i) {
        if (ms <= kLatencyEdgesMs[i]) return i;
    }
    return kLatencyBins - 1;
}

template <class T>
void push_bounded(std::deque<T>& q, T v, std::size_t max) {
    q.push_back(v);
    while (q.size() > max) q.pop_front();
}

bool busy(trace::ThreadActivity a) {
    return a != trace::ThreadActivity::Idle && a != trace::ThreadActivity::Waiting;
}

}  // namespace

const char* latency_bin_label(std::size_t i) {
    static const char* const kLabels[kLatencyBins] = {"0.1", "0.2", "0.5", "1",   "2",  "5",  "10", "20",
                                                      "50",  "100", "200", "500", "1s", "2s", "5s", ">5s"};
    return i < kLatencyBins ? kLabels[i] : "?";
}

std::string format_latency(double ms) {
    if (ms >= 1000) return fmt::format("{:.1f} s", ms / 1000);
    if (ms >= 10) return fmt::format("{:.0f} ms", ms);
    return fmt::format("{:.2g} ms", ms);
}

void SecondBucket::Side::add_latency(double ms) {
    const std::size_t i = latency_bin(ms);
    const auto v = static_cast<float>(ms);
    if (latency[i]++ == 0) {
        lowest[i] = highest[i] = v;
    } else {
        lowest[i] = std::min(lowest[i], v);
        highest[i] = std::max(highest[i], v);
    }
}

SecondBucket& Metrics::bucket(std::uint64_t t_ns) {
    auto second = static_cast<std::int64_t>(t_ns / 1'000'000'000ULL);
    if (seconds_.empty() || seconds_.back().second < second) {
        // Keep empty seconds too, so a quiet second plots as zero.
        std::int64_t from = seconds_.empty() ? second : seconds_.back().second + 1;
        from = std::max(from, second - static_cast<std::int64_t>(kSeconds));
        for (std::int64_t s = from; s <= second; ++s) push_bounded(seconds_, SecondBucket{s, {}, {}}, kSeconds);
    }
    // Events arrive in time order, so only the newest bucket (or one just before it) is ever hit.
    for (auto it = seconds_.rbegin(); it != seconds_.rend(); ++it) {
        if (it->second == second) return *it;
    }
    return seconds_.back();
}

void Metrics::update(const trace::Recording& rec, const trace::World& latest) {
    auto events = rec.events();
    for (; folded_ < events.size(); ++folded_) {
        const trace::Event& e = events[folded_];
        newest_ns_ = e.t_ns;
        switch (e.kind) {
        case EventKind::GateClose:
            if (!gate_.closed()) gate_.add_close(e.t_ns);
            break;
        case EventKind::GateOpen:
            if (gate_.closed()) gate_.spans.back().opened_ns = std::max<std::uint64_t>(e.t_ns, 1);
            break;
        case EventKind::Parsed:
            parsed_at_[e.req] = e.t_ns;
            break;
        case EventKind::HandlerEnd:
            if (auto end = trace::ev::HandlerEnd::decode(e); end.status >= 500 || end.raised != 0) {
                ++bucket(e.t_ns).server.errors;
                ++total_errors_;
            }
            break;
        case EventKind::ParseFailed:
            ++bucket(e.t_ns).server.errors;
            ++total_errors_;
            break;
        case EventKind::ClientDone: {
            SecondBucket& b = bucket(e.t_ns);
            ++b.client.requests;
            ++client_requests_;
            // Engine time, as the lessons measure it: a pause adds nothing (the
            // client's stopwatch ran on while the learner looked at a frozen engine).
            const auto wall_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(
                0, trace::ev::ClientDone::decode(e).latency_us.v * 1000));
            const std::uint64_t sent = e.t_ns > wall_ns ? e.t_ns - wall_ns : 0;
            b.client.add_latency(static_cast<double>(gate_.engine_span(sent, e.t_ns)) / 1e6);
            break;
        }
        case EventKind::ClientError:
            ++bucket(e.t_ns).client.errors;
            ++client_errors_;
            break;
        case EventKind::WriteDone:
            if (auto it = parsed_at_.find(e.req); it != parsed_at_.end()) {
                SecondBucket& b = bucket(e.t_ns);
                ++b.server.requests;
                ++total_requests_;
                b.server.add_latency(static_cast<double>(gate_.engine_span(it->second, e.t_ns)) / 1e6);
                parsed_at_.erase(it);
            }
            break;
        case EventKind::Close:
            // A request that never got written (peer gone, crash) must not stay in the map.
            if (parsed_at_.size() > 100'000) parsed_at_.clear();
            break;
        default:
            break;
        }
    }
    if (latest.now_ns >= next_sample_ns_) {
        sample(latest);
        next_sample_ns_ = latest.now_ns + kSampleEvery;
    }
}

void Metrics::sample(const trace::World& world) {
    push_bounded(accept_queue_, static_cast<float>(world.listener.queue_len), kSamples);
    for (auto& [pid, series] : workers_) series.alive = false;
    for (const trace::Process* p : world.workers()) {
        WorkerSeries& s = workers_[p->pid];
        s.pid = p->pid;
        s.age = p->worker_age;
        s.alive = true;
        std::int64_t requests = p->counter(trace::CounterId::Requests);
        double dt = s.last_sample_ns ? static_cast<double>(world.now_ns - s.last_sample_ns) / 1e9 : 0.0;
        float rate = dt > 0 ? static_cast<float>(static_cast<double>(requests - s.requests) / dt) : 0.0f;
        s.requests = requests;
        s.last_sample_ns = world.now_ns;
        std::size_t threads = 0;
        std::size_t busy_threads = 0;
        for (const auto& [tid, t] : p->threads) {
            if (t.role == trace::ThreadRole::Sampler) continue;
            ++threads;
            if (busy(t.activity)) ++busy_threads;
        }
        std::size_t conns = 0;
        for (const auto& [id, c] : world.connections) {
            if (c.owner == p->pid) ++conns;
        }
        push_bounded(s.requests_per_s, std::max(0.0f, rate), kSamples);
        push_bounded(s.busy, threads ? static_cast<float>(busy_threads) / static_cast<float>(threads) : 0.0f,
                     kSamples);
        push_bounded(s.pool_queue, static_cast<float>(p->pool_queue.size()), kSamples);
        push_bounded(s.keepalive, static_cast<float>(p->keepalive.size()), kSamples);
        push_bounded(s.poll_fds, static_cast<float>(p->poll.size()), kSamples);
        push_bounded(s.open_conns, static_cast<float>(conns), kSamples);
    }
    // Forget workers that are gone once a few more have come and gone.
    for (auto it = workers_.begin(); it != workers_.end() && workers_.size() > 16;) {
        it = it->second.alive ? std::next(it) : workers_.erase(it);
    }
}

double Metrics::requests_per_second() const {
    // The newest second is still filling: average the two before it.
    if (seconds_.size() < 2) return 0;
    double sum = 0;
    int n = 0;
    for (auto it = seconds_.rbegin() + 1; it != seconds_.rend() && n < 2; ++it, ++n) sum += side(*it).requests;
    return n ? sum / n : 0;
}

double Metrics::errors_per_second() const {
    if (seconds_.size() < 2) return 0;
    double sum = 0;
    int n = 0;
    for (auto it = seconds_.rbegin() + 1; it != seconds_.rend() && n < 2; ++it, ++n) sum += side(*it).errors;
    return n ? sum / n : 0;
}

std::array<std::uint32_t, kLatencyBins> Metrics::latency_histogram(int seconds) const {
    std::array<std::uint32_t, kLatencyBins> out{};
    int n = 0;
    for (auto it = seconds_.rbegin(); it != seconds_.rend() && n < seconds; ++it, ++n) {
        for (std::size_t i = 0; i < kLatencyBins; ++i) out[i] += side(*it).latency[i];
    }
    return out;
}

namespace {

// The p-th of the latencies counted in `count`, found by walking the bins and
// interpolating on a log scale inside the bin it falls in, between bounds(i).
template <class Bounds>
double percentile_in_bins(const std::array<std::uint32_t, kLatencyBins>& count, double p, Bounds bounds) {
    std::uint64_t total = 0;
    for (std::uint32_t c : count) total += c;
    if (total == 0) return 0;
    const double want = p * static_cast<double>(total);
    double seen = 0;
    for (std::size_t i = 0; i < kLatencyBins; ++i) {
        if (count[i] == 0) continue;
        if (seen + count[i] >= want) {
            const auto [lo, hi, frac] = bounds(i, (want - seen) / count[i]);
            return lo * std::pow(hi / lo, frac);
        }
        seen += count[i];
    }
    // Only with p > 1: the last bin's lower bound.
    return bounds(kLatencyBins - 1, 0.0)[0];
}

}  // namespace

double Metrics::percentile_ms(const std::array<std::uint32_t, kLatencyBins>& hist, double p) {
    // Between the bin's edges (the bins are roughly 1-2-5 steps).
    return percentile_in_bins(hist, p, [](std::size_t i, double frac) {
        const double lo = i == 0 ? kLatencyEdgesMs[0] / 2 : kLatencyEdgesMs[i - 1];
        const double hi = i + 1 < kLatencyBins ? kLatencyEdgesMs[i] : lo * 2;
        return std::array<double, 3>{lo, hi, frac};
    });
}

double Metrics::latency_percentile_ms(double p, int seconds) const {
    std::array<std::uint32_t, kLatencyBins> count{};
    std::array<float, kLatencyBins> lo{}, hi{};
    int n = 0;
    for (auto it = seconds_.rbegin(); it != seconds_.rend() && n < seconds; ++it, ++n) {
        const SecondBucket::Side& s = side(*it);
        for (std::size_t i = 0; i < kLatencyBins; ++i) {
            if (s.latency[i] == 0) continue;
            lo[i] = count[i] == 0 ? s.lowest[i] : std::min(lo[i], s.lowest[i]);
            hi[i] = count[i] == 0 ? s.highest[i] : std::max(hi[i], s.highest[i]);
            count[i] += s.latency[i];
        }
    }
    // Between the smallest and the largest latency measured in the bin.
    return percentile_in_bins(count, p, [&](std::size_t i, double frac) {
        const double a = std::max<double>(lo[i], 1e-6), b = std::max<double>(hi[i], a);
        return std::array<double, 3>{a, b, count[i] > 1 ? frac : 1.0};
    });
}

std::vector<float> Metrics::rate_history() const {
    std::vector<float> out;
    out.reserve(seconds_.size());
    for (const SecondBucket& b : seconds_) out.push_back(static_cast<float>(side(b).requests));
    return out;
}

}  // namespace minicorn::studio
