// app/studio/panels/passport_outline.cpp — the selected request's path
// outlined in the Topology: its token, its client's rows and the thread or
// greenlet serving it (see passport.h).
#include <imgui.h>

#include "app/studio/panels/passport.h"
#include "app/studio/panels/topology.h"

namespace minicorn::studio {

namespace {

// Does this drawn item belong to the selected request's path?
bool on_path(const TopoItem& it, const TopologyState& topo, const View& view) {
    const std::uint64_t conn = view.selected_conn;
    switch (it.kind) {
        case TopoItemKind::Token:
        case TopoItemKind::Client: return conn != 0 && it.id == conn;
        case TopoItemKind::LoadClient: return view.selected_client_conn != 0 && it.id == view.selected_client_conn;
        case TopoItemKind::Thread: {
            const trace::Process* p = view.world.process(it.pid);
            const trace::Thread* t = p ? p->thread(static_cast<pid_t>(it.id)) : nullptr;
            return conn != 0 && t && t->conn == conn && t->activity != trace::ThreadActivity::Idle;
        }
        case TopoItemKind::Greenlet:
            return conn != 0 && topo.green_conns.conn_of(it.pid, static_cast<std::uint32_t>(it.id)) == conn;
        default: return false;
    }
}

}  // namespace

void outline_selected(const TopologyState& topo, const View& view) {
    if (!view.selected_conn && !view.selected_client_conn) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();  // the Topology's window: clipped to it
    const float thick = std::max(2.0f, ImGui::GetFontSize() / 7.0f);
    for (const TopoItem& it : topo.items) {
        if (!on_path(it, topo, view)) continue;
        dl->AddRect(ImVec2(it.min.x - 2, it.min.y - 2), ImVec2(it.max.x + 2, it.max.y + 2), kSelectedColor, 3.0f, 0,
                    thick);
    }
}

}  // namespace minicorn::studio
