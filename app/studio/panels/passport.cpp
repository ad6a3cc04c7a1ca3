// app/studio/panels/passport.cpp — selecting a request, and the Passport
// panel itself (see passport.h).
#include "app/studio/panels/passport.h"

#include <imgui.h>

#include <fmt/format.h>

#include <charconv>

#include "app/studio/draw/palette.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

using trace::Passport;
using trace::Stage;
using trace::StageKind;
using trace::StagePart;

// ============================================================================
// Selection
// ============================================================================

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '#')) s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::optional<std::uint64_t> number(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// The passport's life is over (closed, or kept alive well past its response): no need to rebuild.
bool complete(const Passport& p, const trace::Recording& rec) {
    if (p.stages.empty() || !p.complete) return false;
    if (p.stages.back().kind == StageKind::Closed) return true;
    return rec.last_time() > p.stages.back().end_ns() + 1'000'000'000;
}

}  // namespace

bool select_request(PassportState& state, const trace::Recording& rec, const trace::World& world, std::uint64_t id,
                    std::uint64_t conn) {
    if (conn) {
        if (const trace::Connection* c = world.connection(conn)) id = c->client_req ? c->client_req : c->req;
        auto lc = world.clients.find(conn);
        if (lc != world.clients.end()) id = lc->second.req;
        if (!id) {
            state.note = "that connection has not sent a request yet";
            state.show_when_built = false;
            return false;
        }
    }
    auto ids = trace::find_request(rec, id);
    if (!ids) {
        state.note = fmt::format("no request {} in this recording", trace::format_id(id));
        state.show_when_built = false;
        return false;
    }
    state.ids = ids;
    state.passport = {};
    state.built_for = 0;
    state.note.clear();
    state.just_selected = true;
    return true;
}

std::optional<std::uint64_t> parse_request(std::string_view text, const trace::Recording& rec,
                                           const trace::World& world, const RequestIndex& names) {
    if (std::uint64_t named = names.named(trim(text))) return named;
    const std::string_view t = trim(text);
    if (auto colon = t.find(':'); colon != std::string_view::npos) {
        auto pid = number(t.substr(0, colon)), seq = number(t.substr(colon + 1));
        if (pid && seq) return trace::make_id(static_cast<pid_t>(*pid), static_cast<std::uint32_t>(*seq));
        return std::nullopt;
    }
    auto seq = number(t);
    if (!seq) return std::nullopt;
    // "#34": the client's 34th request — of the client running now, else the last one recorded.
    pid_t client = world.client.pid;
    if (!client) {
        for (pid_t pid : rec.pids()) {
            if (const auto* idx = rec.by_pid(pid); idx && !idx->empty() && rec[idx->front()].kind == trace::EventKind::ClientStart) {
                client = pid;
            }
        }
    }
    if (!client) return std::nullopt;
    return trace::make_id(client, static_cast<std::uint32_t>(*seq));
}

void update_passport(PassportState& state, const View& view) {
    state.just_selected = false;
    if (!state.ids || state.built_for == view.rec.size() || (state.built_for && complete(state.passport, view.rec))) {
        return;
    }
    // A request still under way is rebuilt as events come, at most every half second of recording.
    static constexpr std::uint64_t kRebuildEveryNs = 500'000'000;
    if (state.built_for && view.rec.last_time() < state.built_ns + kRebuildEveryNs) return;
    if (!state.ids->server_req) {
        if (auto again = trace::find_request(view.rec, state.ids->client_req)) state.ids = again;
    }
    auto world_at = [&view](std::uint64_t t) { return view.keys ? view.keys->world_at(t) : view.model.world_at(t); };
    trace::PassportNaming naming;
    naming.mix_paths = &view.mix_paths;
    state.passport = trace::build_passport(view.rec, *state.ids, world_at, naming);
    state.built_for = view.rec.size();
    state.built_ns = view.rec.last_time();
}

// ============================================================================
// The panel
// ============================================================================

namespace {

ImU32 part_color(StagePart part) {
    return part == StagePart::Latency ? IM_COL32(140, 178, 255, 255) : colors::kTextDim;
}

// "+12.30 ms" from the client's send (a stage before it: "−0.05 ms").
std::string offset(const Passport& p, const Stage& s) {
    if (s.start_ns < p.sent_ns) return "-" + trace::format_duration(p.sent_ns - s.start_ns);
    return "+" + trace::format_duration(s.start_ns - p.sent_ns);
}

void draw_stage_rows(const View& view, const Passport& p, StagePart part, Actions& actions) {
    if (!ImGui::BeginTable(fmt::format("##stages{}", static_cast<int>(part)).c_str(), 3,
                           ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
        return;
    }
    ImGui::TableSetupColumn("when", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("took", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("stage (click a row: show that instant)", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    int row = 0;
    for (const Stage& s : p.stages) {
        if (s.part != part) continue;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const bool here = view.now_ns >= s.start_ns && view.now_ns < s.end_ns();
        ImGui::PushID(row++);
        if (ImGui::Selectable("##row", here, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
            actions.push_back(make_action(Action::Kind::ShowInstant, 0, 0, s.start_ns));
        }
        explain("click: show the whole system at this instant");
        ImGui::PopID();
        ImGui::SameLine(0, 0);
        label(offset(p, s));
        ImGui::TableNextColumn();
        label(s.kind == StageKind::Closed ? "" : trace::format_duration(s.duration_ns), s.reason.empty() ? 0 : colors::kTextWarn);
        ImGui::TableNextColumn();
        label_wrapped(to_string(s.kind), part_color(s.part));
        label_wrapped(s.what, colors::kTextDim);
        if (!s.reason.empty()) label_wrapped("why: " + s.reason, colors::kTextWarn);
    }
    ImGui::EndTable();
}

void draw_query(const View& view, PassportState& state, const RequestIndex& names, Actions& actions) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    const bool entered = ImGui::InputTextWithHint("##request", "#34, 5:12 or A", state.query, sizeof state.query,
                                                  ImGuiInputTextFlags_EnterReturnsTrue);
    explain("a request's number as the panels show it (#34), its id (5:12), or the name a lesson gave it (A); "
            "or click a request's token in the Topology or its span in the Timeline");
    ImGui::SameLine();
    if (ImGui::Button("Show") || entered) {
        if (auto id = parse_request(state.query, view.rec, view.world, names)) {
            state.show_when_built = select_request(state, view.rec, view.world, *id);
        } else {
            state.note = fmt::format("\"{}\" names no request: type #34, 5:12 or a lesson's name", state.query);
        }
    }
    if (!state.ids) return;
    ImGui::SameLine();
    if (ImGui::Checkbox("follow", &state.follow) && state.follow && !state.passport.stages.empty()) {
        actions.push_back(make_action(Action::Kind::ShowInstant, 0, 0, state.passport.stages.front().start_ns));
        state.followed_at = ImGui::GetTime();
    }
    explain("walk the instant shown through this request's events, one every half second (shift+\u2190 \u2192 step "
            "through them by hand)");
}

void follow(const View& view, PassportState& state, Actions& actions) {
    if (!state.follow || state.passport.stages.empty()) return;
    if (view.now_ns >= state.passport.stages.back().end_ns()) {
        state.follow = false;  // its life is over
        return;
    }
    if (ImGui::GetTime() - state.followed_at < kFollowStepS) return;
    state.followed_at = ImGui::GetTime();
    Action a = make_action(Action::Kind::Step);
    a.step_by = StepBy::RequestEvent;
    a.direction = StepDirection::Forward;
    actions.push_back(a);
}

}  // namespace

void draw_passport(const View& view, PassportState& state, const RequestIndex& names, Actions& actions) {
    draw_query(view, state, names, actions);
    if (!state.note.empty()) label_wrapped(state.note, colors::kTextWarn);
    if (!state.ids) {
        label_wrapped("Pick a request to see its whole life: click its token in the Topology, its span in the "
                      "Timeline, or type its number above.",
                      colors::kTextDim);
        return;
    }
    follow(view, state, actions);
    const Passport& p = state.passport;
    if (state.show_when_built && !p.stages.empty()) {
        // Typed in: show the system in the middle of the stage where most of its time went.
        const Stage* longest = &p.stages.front();
        for (const Stage& s : p.stages) longest = s.duration_ns > longest->duration_ns ? &s : longest;
        actions.push_back(make_action(Action::Kind::ShowInstant, 0, 0, longest->start_ns + longest->duration_ns / 2));
        state.show_when_built = false;
    }
    const std::string name = request_label(state.ids->client_req, state.ids->server_req);
    if (p.stages.empty()) {
        labelf_wrapped(0, "{}: nothing recorded of it yet", name);
        return;
    }
    if (p.complete) {
        labelf_wrapped(0, "{} \u2014 {} in {}", name, p.status, trace::format_duration(p.latency_ns()));
    } else {
        labelf_wrapped(colors::kTextWarn, "{} \u2014 under way for {} so far (no response yet)", name,
                       trace::format_duration(p.latency_ns()));
    }
    bool before = false, after = false;
    for (const Stage& s : p.stages) {
        before |= s.part == StagePart::BeforeSend;
        after |= s.part == StagePart::AfterDone;
    }
    ImGui::BeginChild("##passport_rows");
    if (before) {
        section("before the request was sent");
        draw_stage_rows(view, p, StagePart::BeforeSend, actions);
    }
    section(p.complete ? fmt::format("the latency: {} from the client's send to its last byte",
                                     trace::format_duration(p.latency_ns())).c_str()
                       : "since the client sent it");
    draw_stage_rows(view, p, StagePart::Latency, actions);
    if (after) {
        section("after the client had the response");
        draw_stage_rows(view, p, StagePart::AfterDone, actions);
    }
    ImGui::EndChild();
}

}  // namespace minicorn::studio
