#include "engine/client/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace minicorn::client {

// Index layout: values below 2^(kSubBits+1) map to themselves; above, the
// octave [2^k, 2^(k+1)) is cut into kSubCount equal buckets of width
// 2^(k - kSubBits), numbered from (k - kSubBits + 1) * kSubCount.
std::size_t Histogram::bucket_of(std::uint64_t value) {
    if (value < 2 * kSubCount) return static_cast<std::size_t>(value);
    int k = 63 - std::countl_zero(value);
    int shift = k - kSubBits;
    std::uint64_t sub = value >> shift;  // in [kSubCount, 2 * kSubCount)
    return static_cast<std::size_t>(static_cast<std::uint64_t>(shift + 1) * kSubCount + (sub - kSubCount));
}

std::uint64_t Histogram::bucket_low(std::size_t index) {
    if (index < 2 * kSubCount) return index;
    std::uint64_t shift = index / kSubCount - 1;
    std::uint64_t sub = index % kSubCount + kSubCount;
    return sub << shift;
}

std::uint64_t Histogram::bucket_high(std::size_t index) {
    if (index < 2 * kSubCount) return index;
    std::uint64_t shift = index / kSubCount - 1;
    return bucket_low(index) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
    ++counts_[bucket_of(value)];
    ++count_;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void Histogram::clear() { *this = Histogram(); }

double Histogram::stdev() const {
    if (count_ < 2) return 0.0;
    double m = mean();
    double acc = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        if (counts_[i] == 0) continue;
        double mid = (static_cast<double>(bucket_low(i)) + static_cast<double>(bucket_high(i))) / 2.0;
        acc += static_cast<double>(counts_[i]) * (mid - m) * (mid - m);
    }
    return std::sqrt(acc / static_cast<double>(count_ - 1));
}

std::uint64_t Histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            std::uint64_t lo = bucket_low(i);
            std::uint64_t mid = lo + (bucket_high(i) - lo) / 2;
            return std::clamp(mid, min_, max_);
        }
    }
    return max_;
}

}  // namespace minicorn::client
