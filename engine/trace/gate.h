// engine/trace/gate.h — the observer's side of the step gate.
//
// In gated mode every decision point (is_gated(kind)) waits for a token
// before its event is emitted, and full rings make producers wait instead of
// dropping. Closing the gate also stops engine time (emit.h engine_now_ns),
// the clock heartbeat timeouts are measured in, so a paused engine never
// kills its own workers. Step grants one token; Play at rate R is R steps a
// second, driven by the observer.
//
// Thread affinity: any thread of the observer; all state is in the region.
#pragma once

#include <cstdint>

#include "engine/trace/region.h"

namespace minicorn::trace {

class GateControl {
public:
    explicit GateControl(Region& region) : region_(region) {}

    void set_gated_mode(bool on);
    bool gated_mode() const;
    void close();                 // decision points wait; engine time stops
    void open();                  // everything runs; engine time resumes
    bool closed() const;
    void step(std::int64_t tokens = 1);
    std::int64_t tokens_left() const;
    // Decision points that went through in gated mode since the region was made.
    std::uint64_t passed() const;

private:
    Region& region_;
};

}  // namespace minicorn::trace
