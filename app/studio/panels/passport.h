// app/studio/panels/passport.h — the Passport panel: one request's whole life
// (engine/trace/passport.h), in order, with when each stage began, how long it
// took and, for a long wait, why. The learner selects a request by clicking
// its token or its client row in the Topology, its span in the Timeline, or
// by typing its number ("#34", "34"), its id ("5:12") or a lesson's name ("A")
// in the panel's field. The selected request's token, rows and spans are
// outlined in the Topology and the Timeline (kSelectedColor); "follow" walks
// the instant shown through its events, one every kFollowStepS.
//
// Files: passport.cpp (selection, the panel), passport_outline.cpp (the
// outlines in the other panels).
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/studio/draw/request_label.h"
#include "app/studio/panels/view.h"
#include "engine/trace/passport.h"

namespace minicorn::studio {

inline constexpr double kFollowStepS = 0.6;  // "follow": seconds between two events of the request
inline constexpr unsigned kSelectedColor = 0xFFFFE040u;  // IM_COL32(64, 224, 255, 255): cyan, nothing else uses it

struct PassportState {
    char query[64] = "";
    std::optional<trace::RequestIds> ids;  // the request selected (nullopt: none)
    trace::Passport passport;
    std::size_t built_for = 0;   // the Recording's size when the passport was built
    std::uint64_t built_ns = 0;  // and its last event's time
    std::string note;            // why the last selection found nothing ("" when it did)
    bool follow = false;
    double followed_at = 0;      // ImGui time of the last "follow" step
    bool just_selected = false;  // a request was selected this frame (the studio opens the tab)
    bool show_when_built = false;  // typed in: show its longest stage once the passport is built
};

// Selects the request `id` names (a server or a client request id; conn != 0
// instead: the request a server or client connection carries now, in `world`).
// False, with state.note saying why, when the recording has no such request.
bool select_request(PassportState& state, const trace::Recording& rec, const trace::World& world, std::uint64_t id,
                    std::uint64_t conn = 0);
// What the learner typed: "#34" or "34" (the client's 34th request), "5:12"
// (an id as the panels print it), or a request's name ("A"): its request id.
std::optional<std::uint64_t> parse_request(std::string_view text, const trace::Recording& rec,
                                           const trace::World& world, const RequestIndex& names);
// Builds (or, while the request is not over and the recording grew, rebuilds) the passport.
void update_passport(PassportState& state, const View& view);

// The panel, into the current window.
void draw_passport(const View& view, PassportState& state, const RequestIndex& names, Actions& actions);

// --- passport_outline.cpp ---------------------------------------------------
struct TopologyState;
struct TimelineState;
// Outlines the selected request's token, its client rows and the thread or
// greenlet serving it in the Topology drawn this frame.
void outline_selected(const TopologyState& topo, const View& view);

}  // namespace minicorn::studio
