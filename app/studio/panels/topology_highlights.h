// app/studio/panels/topology_highlights.h — the Topology's highlight names
// (draw/highlight.h), from the items it drew this frame: "worker 1",
// "worker 1 threads", "accept queue", "request A", …
//
// Thread affinity: the studio's main thread, after draw_topology.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "app/studio/panels/topology.h"

namespace minicorn::studio {

// `request_conns`: a lesson's request names → their server connection.
void note_topology_highlights(const TopologyState& state, const trace::World& world,
                              const std::map<std::string, std::uint64_t>& request_conns);

}  // namespace minicorn::studio
