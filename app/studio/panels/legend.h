// app/studio/panels/legend.h — the Legend panel: every colour and shape the
// Topology and Timeline panels use, each with what it means.
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include "app/studio/panels/view.h"

namespace minicorn::studio {

void draw_legend(const View& view);

}  // namespace minicorn::studio
