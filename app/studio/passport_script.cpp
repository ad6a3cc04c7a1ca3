// app/studio/passport_script.cpp — see passport_script.h.
#include "app/studio/passport_script.h"

namespace minicorn::studio {

namespace {
constexpr std::string_view kSelect = "select:";
}

bool is_passport_script(const std::string& name) { return name.starts_with(kSelect) && name.size() > kSelect.size(); }

void run_passport_script(const std::string& name, Studio& studio) {
    if (is_passport_script(name)) studio.select_request_text(name.substr(kSelect.size()));
}

nlohmann::json passport_snapshot(const Studio& studio) {
    const PassportState& st = studio.passport();
    if (!st.ids) return st.note.empty() ? nlohmann::json() : nlohmann::json{{"note", st.note}};
    const trace::Passport& p = st.passport;
    nlohmann::json j;
    j["request"] = request_label(st.ids->client_req, st.ids->server_req);
    j["client_req"] = trace::format_id(st.ids->client_req);
    j["server_req"] = trace::format_id(st.ids->server_req);
    j["latency_ms"] = static_cast<double>(p.latency_ns()) / 1e6;
    j["latency_sum_ms"] = static_cast<double>(p.latency_sum_ns()) / 1e6;
    j["status"] = p.status;
    j["stages"] = nlohmann::json::array();
    for (const trace::Stage& s : p.stages) {
        j["stages"].push_back({{"stage", std::string(to_string(s.kind))},
                               {"part", std::string(to_string(s.part))},
                               {"ms", static_cast<double>(s.duration_ns) / 1e6},
                               {"what", s.what},
                               {"reason", s.reason}});
    }
    return j;
}

}  // namespace minicorn::studio
