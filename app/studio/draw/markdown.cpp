// app/studio/draw/markdown.cpp — see markdown.h.
#include "app/studio/draw/markdown.h"

#include <imgui.h>
#include <md4c.h>

#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

// ============================================================================
// Parsing: md4c's callbacks → blocks of runs
// ============================================================================

namespace {

struct Builder {
    std::vector<MdBlock> blocks;
    std::vector<int> lists;       // per open list: the next number, or -1 for bullets
    std::uint8_t style = 0;
    std::string url;
    bool open = false;            // a block takes text

    void begin_block(std::string bullet) {
        blocks.push_back(MdBlock{std::move(bullet), static_cast<int>(lists.size()), {}});
        open = true;
    }
    void add(std::string_view text) {
        if (!open) begin_block("");
        MdBlock& b = blocks.back();
        if (!b.runs.empty() && b.runs.back().style == style && b.runs.back().url == url) {
            b.runs.back().text.append(text);
        } else {
            b.runs.push_back(MdRun{std::string(text), style, url});
        }
    }
};

int enter_block(MD_BLOCKTYPE type, void* detail, void* user) {
    auto& b = *static_cast<Builder*>(user);
    switch (type) {
        case MD_BLOCK_UL: b.lists.push_back(-1); break;
        case MD_BLOCK_OL: b.lists.push_back(static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start)); break;
        case MD_BLOCK_LI: {
            const int n = b.lists.empty() ? -1 : b.lists.back();
            if (n >= 0) ++b.lists.back();
            b.begin_block(n < 0 ? "\u2022 " : std::to_string(n) + ". ");
            break;
        }
        case MD_BLOCK_P:
            // A list item's first paragraph continues its bullet's block.
            if (!(b.open && !b.blocks.empty() && b.blocks.back().runs.empty())) b.begin_block("");
            break;
        default:
            if (type != MD_BLOCK_DOC) b.begin_block("");
            break;
    }
    return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* user) {
    auto& b = *static_cast<Builder*>(user);
    if ((type == MD_BLOCK_UL || type == MD_BLOCK_OL) && !b.lists.empty()) b.lists.pop_back();
    if (type != MD_BLOCK_DOC) b.open = false;
    return 0;
}

int enter_span(MD_SPANTYPE type, void* detail, void* user) {
    auto& b = *static_cast<Builder*>(user);
    switch (type) {
        case MD_SPAN_EM: b.style |= MdRun::Em; break;
        case MD_SPAN_STRONG: b.style |= MdRun::Strong; break;
        case MD_SPAN_CODE: b.style |= MdRun::Code; break;
        case MD_SPAN_A: {
            const auto* a = static_cast<MD_SPAN_A_DETAIL*>(detail);
            b.style |= MdRun::Link;
            b.url.assign(a->href.text, a->href.size);
            break;
        }
        default: break;
    }
    return 0;
}

int leave_span(MD_SPANTYPE type, void*, void* user) {
    auto& b = *static_cast<Builder*>(user);
    switch (type) {
        case MD_SPAN_EM: b.style &= static_cast<std::uint8_t>(~MdRun::Em); break;
        case MD_SPAN_STRONG: b.style &= static_cast<std::uint8_t>(~MdRun::Strong); break;
        case MD_SPAN_CODE: b.style &= static_cast<std::uint8_t>(~MdRun::Code); break;
        case MD_SPAN_A:
            b.style &= static_cast<std::uint8_t>(~MdRun::Link);
            b.url.clear();
            break;
        default: break;
    }
    return 0;
}

int text_cb(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
    auto& b = *static_cast<Builder*>(user);
    switch (type) {
        case MD_TEXT_SOFTBR:
        case MD_TEXT_BR: b.add(" "); break;
        case MD_TEXT_ENTITY: {
            const std::string_view e(text, size);
            b.add(e == "&amp;" ? "&" : e == "&lt;" ? "<" : e == "&gt;" ? ">" : e == "&quot;" ? "\"" : e);
            break;
        }
        default: b.add(std::string_view(text, size)); break;
    }
    return 0;
}

}  // namespace

std::vector<MdBlock> parse_markdown(std::string_view text) {
    Builder b;
    MD_PARSER parser{};
    parser.flags = MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_NOHTML;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = enter_span;
    parser.leave_span = leave_span;
    parser.text = text_cb;
    md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &b);
    std::erase_if(b.blocks, [](const MdBlock& blk) { return blk.runs.empty(); });
    return b.blocks;
}

// ============================================================================
// Drawing: words flowed into the window's width
// ============================================================================

namespace {

constexpr ImU32 kStrongColor = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kEmColor = IM_COL32(200, 215, 255, 255);
constexpr ImU32 kCodeColor = IM_COL32(250, 210, 140, 255);
constexpr ImU32 kCodeBack = IM_COL32(255, 255, 255, 22);
constexpr ImU32 kLinkColor = IM_COL32(110, 175, 255, 255);

ImU32 run_color(std::uint8_t style) {
    if (style & MdRun::Link) return kLinkColor;
    if (style & MdRun::Code) return kCodeColor;
    if (style & MdRun::Strong) return kStrongColor;
    if (style & MdRun::Em) return kEmColor;
    return ImGui::GetColorU32(ImGuiCol_Text);
}

// One word (with its trailing space) at the cursor, on this line or the next.
// `glued`: the width of what must stay on the same line after it (the next
// run's first word, when no space parts them: "(" + "`/io`").
void draw_word(std::string_view word, const MdRun& run, float left, float right, float glued, bool& line_start) {
    const ImVec2 size = ImGui::CalcTextSize(word.data(), word.data() + word.size());
    if (!line_start) {
        ImGui::SameLine(0, 0);
        if (ImGui::GetCursorScreenPos().x + size.x + glued > right) ImGui::NewLine();
    }
    if (ImGui::GetCursorScreenPos().x < left) ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
    line_start = false;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    std::string_view ink = word;
    while (!ink.empty() && ink.back() == ' ') ink.remove_suffix(1);
    const float ink_w = ImGui::CalcTextSize(ink.data(), ink.data() + ink.size()).x;
    if (run.style & MdRun::Code) dl->AddRectFilled(ImVec2(at.x - 1, at.y), ImVec2(at.x + ink_w + 1, at.y + size.y), kCodeBack, 3.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, run_color(run.style));
    ImGui::TextUnformatted(word.data(), word.data() + word.size());
    ImGui::PopStyleColor();
    if (run.style & MdRun::Strong) dl->AddText(ImVec2(at.x + 0.7f, at.y), run_color(run.style), ink.data(), ink.data() + ink.size());
    if (run.style & MdRun::Link) {
        dl->AddLine(ImVec2(at.x, at.y + size.y - 1), ImVec2(at.x + ink_w, at.y + size.y - 1), kLinkColor);
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%s\n(click: copy the address)", run.url.c_str());
            if (ImGui::IsMouseClicked(0)) ImGui::SetClipboardText(run.url.c_str());
        }
    }
    note_item(ink);
}

}  // namespace

void draw_markdown(const std::vector<MdBlock>& blocks) {
    const float indent_w = ImGui::GetFontSize() * 1.2f;
    const float base = ImGui::GetCursorScreenPos().x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const MdBlock& blk = blocks[i];
        if (i > 0 && blk.bullet.empty()) ImGui::Spacing();
        const float left = base + indent_w * static_cast<float>(blk.depth);
        ImGui::SetCursorScreenPos(ImVec2(base + indent_w * static_cast<float>(std::max(0, blk.depth - 1)), ImGui::GetCursorScreenPos().y));
        bool line_start = true;
        if (!blk.bullet.empty()) {
            label(blk.bullet);
            line_start = false;
        }
        for (std::size_t r = 0; r < blk.runs.size(); ++r) {
            const MdRun& run = blk.runs[r];
            std::string_view rest = run.text;
            while (!rest.empty()) {
                std::size_t end = rest.find(' ');
                end = end == std::string_view::npos ? rest.size() : end + 1;
                float glued = 0;
                if (end == rest.size() && rest.back() != ' ' && r + 1 < blk.runs.size()) {
                    const std::string& next = blk.runs[r + 1].text;
                    const std::size_t n = std::min(next.find(' '), next.size());
                    glued = ImGui::CalcTextSize(next.data(), next.data() + n).x;
                }
                if (!line_start || end > 1 || rest[0] != ' ') draw_word(rest.substr(0, end), run, left, right, glued, line_start);
                rest.remove_prefix(end);
            }
        }
        ImGui::SetCursorScreenPos(ImVec2(base, ImGui::GetCursorScreenPos().y));
    }
}

}  // namespace minicorn::studio
