// app/studio/draw/text_layout.cpp — see text_layout.h.
#include "app/studio/draw/text_layout.h"

#include <fmt/format.h>

#include <algorithm>

namespace minicorn::studio {

namespace {

TextLayout* g_layout = nullptr;  // as ImGui's GImGui: the one current layout, or none

std::string panel_of(const ImDrawList* dl) {
    std::string_view name = dl && dl->_OwnerName ? dl->_OwnerName : "";
    if (auto id = name.find("###"); id != std::string_view::npos) name = name.substr(id + 3);
    // A child window is named "Parent/child_1234ABCD": the panel is the parent.
    if (auto slash = name.find('/'); slash != std::string_view::npos) name = name.substr(0, slash);
    return std::string(name);
}

float overlap(float a0, float a1, float b0, float b1) { return std::min(a1, b1) - std::max(a0, b0); }

bool intersect(const LayoutRect& a, const LayoutRect& b, float slack) {
    return overlap(a.x0, a.x1, b.x0, b.x1) > slack && overlap(a.y0, a.y1, b.y0, b.y1) > slack;
}

// ImGui's floating windows — an open menu, a combo's list, a tooltip, a popup —
// are drawn over the panels: what lies under them is covered, not overlapped.
bool floats_above(const std::string& panel) {
    for (std::string_view prefix : {"##Menu_", "##Combo_", "##Tooltip_", "##Popup_"}) {
        if (panel.starts_with(prefix)) return true;
    }
    return false;
}

// One of the two covers the other (a floating window over a panel).
bool covers(const std::string& a, const std::string& b) { return floats_above(a) != floats_above(b); }

std::string describe(const LayoutRect& r) { return fmt::format("at ({:.0f}, {:.0f}) {:.0f}×{:.0f}", r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0); }

}  // namespace

void set_text_layout(TextLayout* layout) { g_layout = layout; }
TextLayout* text_layout() { return g_layout; }

void note_text(ImDrawList* dl, ImVec2 pos, ImVec2 size, std::string_view text, bool cut, ClipAxes axes) {
    if (!g_layout || text.empty()) return;
    LayoutRect r{pos.x, pos.y, pos.x + size.x, pos.y + size.y};
    ImVec2 cmin = dl ? dl->GetClipRectMin() : ImVec2{-1e9f, -1e9f};
    ImVec2 cmax = dl ? dl->GetClipRectMax() : ImVec2{1e9f, 1e9f};
    const float eps = 0.5f;
    bool outside_x = r.x0 >= cmax.x || r.x1 <= cmin.x;
    bool outside_y = r.y0 >= cmax.y || r.y1 <= cmin.y;
    if (outside_x || outside_y) return;  // not visible at all (scrolled away)
    bool cut_x = r.x0 < cmin.x - eps || r.x1 > cmax.x + eps;
    bool cut_y = axes == ClipAxes::Both && (r.y0 < cmin.y - eps || r.y1 > cmax.y + eps);
    // What shows: the part inside the clip rect (a cut text is checked for overlap as drawn).
    LayoutRect shown{std::max(r.x0, cmin.x), std::max(r.y0, cmin.y), std::min(r.x1, cmax.x), std::min(r.y1, cmax.y)};
    g_layout->texts.push_back({panel_of(dl), std::string(text), shown, cut || cut_x || cut_y});
}

void note_token(ImDrawList* dl, ImVec2 min, ImVec2 max, std::uint64_t id, bool moving) {
    if (!g_layout) return;
    g_layout->tokens.push_back({panel_of(dl), id, {min.x, min.y, max.x, max.y}, moving});
}

std::vector<std::string> layout_faults(const TextLayout& layout, float slack) {
    std::vector<std::string> faults;
    const auto& texts = layout.texts;
    for (const NotedText& t : texts) {
        if (t.clipped) faults.push_back(fmt::format("{}: text cut off: \"{}\" {}", t.panel, t.text, describe(t.rect)));
    }
    for (std::size_t i = 0; i < texts.size(); ++i) {
        for (std::size_t j = i + 1; j < texts.size(); ++j) {
            if (!intersect(texts[i].rect, texts[j].rect, slack) || covers(texts[i].panel, texts[j].panel)) continue;
            faults.push_back(fmt::format("{}: texts overlap: \"{}\" {} and \"{}\" {}", texts[i].panel, texts[i].text,
                                         describe(texts[i].rect), texts[j].text, describe(texts[j].rect)));
        }
    }
    for (const NotedToken& k : layout.tokens) {
        for (const NotedText& t : texts) {
            if (!intersect(k.rect, t.rect, slack) || covers(k.panel, t.panel)) continue;
            faults.push_back(fmt::format("{}: a dot (conn {}{}) lies over \"{}\" {}", k.panel, k.id,
                                         k.moving ? ", in flight" : "", t.text, describe(t.rect)));
        }
    }
    return faults;
}

}  // namespace minicorn::studio
