// engine/client/histogram.h — latency histogram in the HDR style: log-linear
// buckets (128 linear sub-buckets per power of two), so any recorded value
// is known to within 1/256 of itself (< 0.4 %) in constant memory, and the
// percentiles of millions of requests cost one array walk.
//
// Values are unsigned integers (the client records microseconds). Values
// below 256 are exact. min, max, count and sum are kept exactly.
//
// Not thread-safe: one histogram per engine thread; merge() them after.
#pragma once

#include <array>
#include <cstdint>

namespace minicorn::client {

class Histogram {
public:
    static constexpr int kSubBits = 7;                       // 128 sub-buckets per octave
    static constexpr std::uint64_t kSubCount = 1u << kSubBits;
    static constexpr int kOctaves = 64 - kSubBits;           // covers every uint64_t
    static constexpr std::size_t kBuckets = (kOctaves + 1) * kSubCount;

    void record(std::uint64_t value);
    void merge(const Histogram& other);
    void clear();

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ ? min_ : 0; }
    std::uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    double stdev() const;
    // The value at percentile p (0 < p <= 100): the smallest recorded value v
    // such that at least p % of the values are <= v, to within the bucket
    // (the bucket's midpoint, clamped to [min, max]). 0 when empty.
    std::uint64_t percentile(double p) const;

    // Bucket arithmetic (public for tests).
    static std::size_t bucket_of(std::uint64_t value);
    static std::uint64_t bucket_low(std::size_t index);
    static std::uint64_t bucket_high(std::size_t index);  // inclusive

private:
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = ~std::uint64_t{0};
    std::uint64_t max_ = 0;
};

}  // namespace minicorn::client
