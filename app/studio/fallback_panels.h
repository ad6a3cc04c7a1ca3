// app/studio/fallback_panels.h — plain stand-ins for the Topology and
// Timeline panels, drawn only while app/studio/panels/topology.h and
// timeline.h do not exist in this build (studio.cpp checks with
// __has_include). They list what the World says, in text and small plots.
//
// The main thread, inside an ImGui window.
#pragma once

#include "app/studio/panels/metrics.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

void draw_topology_fallback(const View& view);
void draw_timeline_fallback(const View& view, const Metrics& metrics);

}  // namespace minicorn::studio
