// app/studio/synthetic.h — a made-up Recording for measuring the studio
// without an engine: `minicorn-studio --bench-synthetic --bench-frames N`.
//
// The shape of a busy gevent server: an arbiter, `workers` workers, each
// with a hub thread, `connections` keep-alive connections spread over them
// (each its own greenlet), and requests cycling through them — accept, read,
// parse, handle, write, park — until the recording holds `events` events.
// Every connection is still open at the end, so the World holds them all.
//
// Plain data; no threads.
#pragma once

#include <cstddef>

#include "engine/trace/recording.h"

namespace minicorn::studio {

struct SyntheticShape {
    std::size_t events = 1'000'000;
    int connections = 1000;
    int workers = 3;
    std::uint64_t spacing_ns = 40'000;  // between consecutive events (1 M events ≈ 40 s)
};

trace::Recording synthetic_recording(const SyntheticShape& shape);

}  // namespace minicorn::studio
