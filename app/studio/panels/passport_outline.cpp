// app/studio/panels/passport_outline.cpp — the selected request's path
// outlined in the Topology: its token, its client's rows and the thread or
// greenlet serving it (see passport.h).
#include <imgui.h>

#include "app/studio/panels/passport.h"
#include "app/studio/panels/topology.h"

namespace minicorn::studio {

namespace {

// The server connection carries the selected request at the instant shown
// (a kept-alive connection carries others before and after it).
bool carries(const View& view, std::uint64_t conn) {
    if (conn == 0 || conn != view.selected_conn) return false;
    const trace::Connection* c = view.world.connection(conn);
    if (!c) return false;
    if (c->req == view.selected_req || (c->client_req && c->client_req == view.selected_client_req)) return true;
    // Not parsed yet: the connection's own life decides (the first request's).
    return view.now_ns >= view.selected_from_ns && view.now_ns <= view.selected_to_ns;
}

// Does this drawn item belong to the selected request's path?
bool on_path(const TopoItem& it, const TopologyState& topo, const View& view) {
    switch (it.kind) {
        case TopoItemKind::Token:
        case TopoItemKind::Client: return carries(view, it.id);
        case TopoItemKind::LoadClient: {
            auto lc = view.world.clients.find(it.id);
            return it.id == view.selected_client_conn && lc != view.world.clients.end() &&
                   lc->second.req == view.selected_client_req;
        }
        case TopoItemKind::Thread: {
            const trace::Process* p = view.world.process(it.pid);
            const trace::Thread* t = p ? p->thread(static_cast<pid_t>(it.id)) : nullptr;
            return t && t->activity != trace::ThreadActivity::Idle && carries(view, t->conn);
        }
        case TopoItemKind::Greenlet:
            return carries(view, topo.green_conns.conn_of(it.pid, static_cast<std::uint32_t>(it.id)));
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
