#include "engine/client/load_stats.h"

namespace minicorn::client {

std::uint64_t LoadStats::error_count() const {
    std::uint64_t n = 0;
    for (std::uint64_t e : errors) n += e;
    return n;
}

void LoadStats::merge(const LoadStats& o) {
    attempts += o.attempts;
    requests += o.requests;
    bytes_read += o.bytes_read;
    bytes_written += o.bytes_written;
    connects += o.connects;
    for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
    for (std::size_t i = 0; i < status_class.size(); ++i) status_class[i] += o.status_class[i];
    if (per_mix.size() < o.per_mix.size()) per_mix.resize(o.per_mix.size(), 0);
    for (std::size_t i = 0; i < o.per_mix.size(); ++i) per_mix[i] += o.per_mix[i];
    latency.merge(o.latency);
    idle_closed += o.idle_closed;
    dropped_arrivals += o.dropped_arrivals;
    for (std::size_t i = 0; i < roles.size(); ++i) {
        roles[i].connections += o.roles[i].connections;
        roles[i].responses += o.roles[i].responses;
        roles[i].cut += o.roles[i].cut;
    }
}

}  // namespace minicorn::client
