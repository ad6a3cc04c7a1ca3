// app/studio/traffic_mix.h — the request mix, as `minicorn load --mix` reads
// it: "/io?ms=50:70,/cpu?ms=10:30" is 70 % /io?ms=50 and 30 % /cpu?ms=10
// (the weight follows the last ':'; no weight means 1).
//
// Plain data; no threads.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace minicorn::studio {

struct TrafficMix {
    struct Entry {
        std::string path;
        int weight = 1;
    };
    std::vector<Entry> entries;  // never empty after parse_mix ("/" if nothing usable)
    int total = 0;

    template <class Rng>
    const std::string& pick(Rng& rng) const {
        int n = static_cast<int>(rng() % static_cast<unsigned>(total));
        for (const Entry& e : entries) {
            if (n < e.weight) return e.path;
            n -= e.weight;
        }
        return entries.back().path;
    }
};

inline TrafficMix parse_mix(std::string_view text) {
    TrafficMix mix;
    while (!text.empty()) {
        std::string_view item = text.substr(0, text.find(','));
        text.remove_prefix(std::min(text.size(), item.size() + 1));
        TrafficMix::Entry e;
        auto colon = item.rfind(':');
        if (colon != std::string_view::npos) {
            e.weight = std::max(0, std::atoi(std::string(item.substr(colon + 1)).c_str()));
            item = item.substr(0, colon);
        }
        if (item.empty() || item[0] != '/' || e.weight == 0) continue;
        e.path = std::string(item);
        mix.total += e.weight;
        mix.entries.push_back(std::move(e));
    }
    if (mix.entries.empty()) {
        mix.entries.push_back({"/", 1});
        mix.total = 1;
    }
    return mix;
}

}  // namespace minicorn::studio
