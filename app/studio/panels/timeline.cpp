// app/studio/panels/timeline.cpp — see timeline.h.
#include "app/studio/panels/timeline.h"

#include <imgui.h>

namespace minicorn::studio {

void draw_timeline(const View& view, TimelineState& state, Actions&) {
    state.stats = {};
    ImGui::Text("%zu events", view.rec.size());
}

}  // namespace minicorn::studio
