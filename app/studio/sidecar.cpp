// app/studio/sidecar.cpp — see sidecar.h.
#include "app/studio/sidecar.h"

#include <fstream>

#include "app/studio/compare.h"
#include "app/studio/gate_script.h"
#include "app/studio/passport_script.h"
#include "app/studio/time_script.h"

using minicorn::studio::Platform;
using minicorn::studio::Studio;

namespace minicorn::studio {

namespace {

// The layout checker's view of the last frame: every text and token, and what is wrong.
nlohmann::json layout_json(const minicorn::studio::TextLayout& layout) {
    nlohmann::json j;
    auto rect = [](const minicorn::studio::LayoutRect& r) {
        return nlohmann::json{{"x", r.x0}, {"y", r.y0}, {"w", r.x1 - r.x0}, {"h", r.y1 - r.y0}};
    };
    // Each noted thing: its rectangle, its panel, and what `fill` adds.
    auto list = [&rect](const auto& things, auto fill) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& x : things) {
            nlohmann::json e = rect(x.rect);
            e["panel"] = x.panel;
            fill(e, x);
            a.push_back(std::move(e));
        }
        return a;
    };
    j["texts"] = list(layout.texts, [](nlohmann::json& e, const minicorn::studio::NotedText& t) {
        e["text"] = t.text;
        e["clipped"] = t.clipped;
    });
    j["tokens"] = list(layout.tokens, [](nlohmann::json& e, const minicorn::studio::NotedToken& k) {
        e["conn"] = k.id;
        e["moving"] = k.moving;
    });
    j["faults"] = minicorn::studio::layout_faults(layout);
    return j;
}

// Where the lesson is, and every highlight the panels registered this frame.
nlohmann::json lesson_json(const Studio& studio) {
    const minicorn::studio::LessonPlayer& p = studio.lesson_player();
    nlohmann::json j;
    j["mode"] = p.mode() == minicorn::studio::LessonPlayer::Mode::Running  ? "running"
                : p.mode() == minicorn::studio::LessonPlayer::Mode::Picker ? "picker"
                                                                           : "off";
    if (const auto* l = p.lesson()) {
        j["id"] = l->id;
        j["step"] = p.step() + 1;
        j["steps"] = l->steps.size();
        j["phase"] = p.phase() ? std::string(minicorn::lesson::to_string(*p.phase())) : "asking";
        j["picked"] = p.picked();
        if (const auto* r = p.runner(); r && r->ask_result()) j["measured"] = r->ask_result()->measured;
        if (const auto* r = p.runner(); r && r->failure()) j["failure"] = r->failure()->text + ": " + r->failure()->figure;
        j["highlights"] = nlohmann::json::array();
        if (const auto* s = p.current()) {
            for (const auto& h : s->highlights) j["highlights"].push_back(h.name);
        }
    }
    j["board"] = nlohmann::json::array();
    for (const auto& r : studio.highlights().rects()) {
        j["board"].push_back({{"name", r.name}, {"x", r.x0}, {"y", r.y0}, {"w", r.x1 - r.x0}, {"h", r.y1 - r.y0}});
    }
    return j;
}

}  // namespace

bool write_sidecar(const std::string& path, const Platform& platform, const Studio& studio, int frames,
                   const minicorn::studio::TextLayout& layout, const nlohmann::json& snapshots) {
    nlohmann::json j;
    j["snapshots"] = snapshots;  // --then snapshot
    j["gate"] = minicorn::studio::gate_snapshot(studio);
    j["time"] = minicorn::studio::time_snapshot(studio);
    j["passport"] = minicorn::studio::passport_snapshot(studio);
    j["width"] = platform.width();
    j["height"] = platform.height();
    j["frames"] = frames;
    j["events"] = studio.recording().size();
    j["workers"] = studio.latest().workers().size();
    j["font"] = platform.font_loaded() ? "DejaVuSans" : "default";
    j["scale"] = platform.scale();
    auto st = studio.status();
    using Engine = minicorn::studio::SessionStatus::Engine;
    j["engine"] = st.engine == Engine::Exited      ? "exited"
                  : st.engine == Engine::Starting  ? "starting"
                  : st.engine == Engine::Synthetic ? "synthetic"
                  : st.engine == Engine::Replay    ? "replay"
                                                   : "running";
    j["engine_exit"] = st.serve_exit;  // "exit 0", "killed by SIGKILL"; empty while it runs
    j["client"] = st.client_command;
    j["panels"] = nlohmann::json::array();
    for (const auto& r : studio.panels()) {
        j["panels"].push_back({{"name", r.name}, {"x", r.x}, {"y", r.y}, {"w", r.w}, {"h", r.h}});
    }
    j["layout"] = layout_json(layout);
    j["lesson"] = lesson_json(studio);
    if (studio.compare()) j["compare"] = minicorn::studio::compare_snapshot(*studio.compare());
    std::ofstream out(path);
    out << j.dump(2) << "\n";
    return static_cast<bool>(out);
}

}  // namespace minicorn::studio
