// app/studio/panels/topology.cpp — see topology.h.
#include "app/studio/panels/topology.h"

#include <imgui.h>

namespace minicorn::studio {

std::size_t TopologyState::count(TopoItemKind kind) const {
    std::size_t n = 0;
    for (const TopoItem& item : items) n += item.kind == kind ? 1 : 0;
    return n;
}

void draw_topology(const View& view, TopologyState& state, Actions&) {
    state.items.clear();
    state.tooltip.clear();
    ImGui::Text("%zu workers", view.world.workers().size());
}

}  // namespace minicorn::studio
