// app/studio/draw/request_label.cpp — see request_label.h.
#include "app/studio/draw/request_label.h"

#include <fmt/format.h>

#include "engine/trace/ev.h"

namespace minicorn::studio {

namespace {
RequestNaming g_naming;  // the current frame's, like ImGui's current context

std::string format_label(std::uint64_t client_req, std::uint64_t server_req, std::int64_t mix_index, LabelForm form) {
    if (client_req == 0) {
        return server_req ? fmt::format("req {}", server_req & 0xffffffffu) : std::string();
    }
    const auto seq = client_req & 0xffffffffu;
    if (form == LabelForm::Short || mix_index < 0) return fmt::format("#{}", seq);
    const std::vector<std::string>* paths = g_naming.mix_paths;
    if (paths && static_cast<std::size_t>(mix_index) < paths->size()) {
        return fmt::format("#{} {}", seq, (*paths)[static_cast<std::size_t>(mix_index)]);
    }
    return fmt::format("#{}", seq);  // the mix's paths are not known here
}
}  // namespace

void RequestIndex::update(const trace::Recording& rec, std::size_t budget) {
    if (rec.size() < scanned_) {
        scanned_ = 0;
        client_of_.clear();
        mix_of_.clear();
        vu_of_.clear();
    }
    const std::size_t end = std::min(rec.size(), scanned_ + budget);
    for (std::size_t i = scanned_; i < end; ++i) {
        const trace::Event& e = rec[i];
        if (e.kind == trace::EventKind::RequestTagged) {
            if (client_of_.size() < kMaxRemembered) {
                client_of_[e.req] = static_cast<std::uint64_t>(trace::ev::RequestTagged::decode(e).client_req.v);
            }
        } else if (e.kind == trace::EventKind::ClientSendStart) {
            if (mix_of_.size() < kMaxRemembered) mix_of_[e.req] = trace::ev::ClientSendStart::decode(e).mix_index;
        } else if (e.kind == trace::EventKind::ClientConnectStart) {
            if (vu_of_.size() < kMaxRemembered) vu_of_[e.conn] = trace::ev::ClientConnectStart::decode(e).vu;
        }
    }
    scanned_ = end;
}

std::uint64_t RequestIndex::client_req_of(std::uint64_t server_req) const {
    auto it = client_of_.find(server_req);
    return it == client_of_.end() ? 0 : it->second;
}

std::int64_t RequestIndex::mix_index_of(std::uint64_t client_req) const {
    auto it = mix_of_.find(client_req);
    return it == mix_of_.end() ? -1 : it->second;
}

std::int64_t RequestIndex::vu_of(std::uint64_t client_conn) const {
    auto it = vu_of_.find(client_conn);
    return it == vu_of_.end() ? -1 : it->second;
}

const std::string* RequestIndex::name_of(std::uint64_t client_req) const {
    auto it = names_.find(client_req);
    return it == names_.end() ? nullptr : &it->second;
}

void set_request_naming(RequestNaming naming) { g_naming = naming; }
RequestNaming request_naming() { return g_naming; }

std::uint64_t RequestIndex::named(std::string_view name) const {
    for (const auto& [id, n] : names_) {
        if (n == name) return id;
    }
    return 0;
}

std::string request_label(std::uint64_t client_req, std::uint64_t server_req, LabelForm form) {
    const RequestIndex* index = g_naming.index;
    if (client_req == 0 && index && server_req) client_req = index->client_req_of(server_req);
    if (client_req && index) {
        if (const std::string* name = index->name_of(client_req)) return *name;
    }
    return format_label(client_req, server_req, index && client_req ? index->mix_index_of(client_req) : -1, form);
}

std::string request_label(const trace::Connection& conn, LabelForm form) {
    return request_label(conn.client_req, conn.req, form);
}

std::string request_label(const trace::LoadConn& conn, LabelForm form) {
    if (conn.req == 0) return "";
    const RequestIndex* index = g_naming.index;
    if (index) {
        if (const std::string* name = index->name_of(conn.req)) return *name;
    }
    std::int64_t mix = index ? index->mix_index_of(conn.req) : -1;
    return format_label(conn.req, 0, mix >= 0 ? mix : conn.mix_index, form);
}

std::string connection_label(const trace::World& world, const trace::Connection& conn) {
    if (const trace::LoadConn* client = world.client_side(conn); client && client->req) {
        return request_label(*client, LabelForm::Short);
    }
    if (conn.client_req || conn.req) return request_label(conn, LabelForm::Short);
    return fmt::format(":{}", conn.peer_port);
}

}  // namespace minicorn::studio
