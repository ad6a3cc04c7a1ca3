// app/studio/draw/request_label.h — one name for a request, the same in every
// panel: the Timeline's spans, the Topology's rows, hover texts, the Event log.
//
// A request has three ids in the trace: the client's (minicorn load's request
// id, sent as X-Request-Id), the server's (HandlerStart.req …) and the TCP
// connection's port. The learner sees the client side first — "vu3 sends
// /io?ms=50" — so the name is built from the client's id and the path it asked
// for:
//
//   "A"              a lesson named it (RequestIndex::set_name)
//   "#34 /io?ms=50"  the client's 34th request, and the path of the mix it asked for
//   "#34"            the short form, where there is no room for the path
//   "req 263"        no client id known (not sent by minicorn load): the server's number
//
// Why "#34": short, it grows as the run goes on (a learner can tell an old
// request from a new one), and it is the same number on both ends of the
// wire; the path says what the request does (/io sleeps, /cpu computes).
// "GET" is left out: every request of the mix is a GET.
//
// RequestIndex joins the ids, learnt from the events as they arrive
// (RequestTagged: server request → client request; ClientSendStart: client
// request → path of the mix). Like GreenConnIndex it is incremental and holds
// in replay (an id's partner never changes).
//
// The naming in force (the index and the mix's paths) is installed once per
// frame by the studio (set_request_naming), as ImGui's current context is, so
// that hover texts built from a World alone name requests the same way; with
// none installed the names fall back to what the World knows.
//
// Thread affinity: the studio's main thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

class RequestIndex {
public:
    static constexpr std::size_t kDefaultBudget = 60'000;  // events read per update (~2 ms)
    static constexpr std::size_t kMaxRemembered = 1'000'000;
    // Reads at most `budget` events appended since the last update; a Recording
    // that shrank (replaced) starts over. The names stay.
    void update(const trace::Recording& rec, std::size_t budget = kDefaultBudget);
    // The client's id for server request `server_req` (RequestTagged), 0 if unknown.
    std::uint64_t client_req_of(std::uint64_t server_req) const;
    // The path of the mix client request `client_req` asked for (ClientSendStart.mix_index), -1 if unknown.
    std::int64_t mix_index_of(std::uint64_t client_req) const;

    // The virtual user of minicorn load's connection `client_conn` (ClientConnectStart.vu), -1 if unknown.
    std::int64_t vu_of(std::uint64_t client_conn) const;

    // A lesson's name for a client request ("A"); every panel shows it instead of "#34 /io?ms=50".
    void set_name(std::uint64_t client_req, std::string name) { names_[client_req] = std::move(name); }
    void clear_names() { names_.clear(); }
    const std::string* name_of(std::uint64_t client_req) const;
    // The client request a lesson named `name`, 0 if none (the Passport's field).
    std::uint64_t named(std::string_view name) const;

private:
    std::size_t scanned_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> client_of_;  // server req → client req
    std::unordered_map<std::uint64_t, std::int64_t> mix_of_;      // client req → mix index
    std::unordered_map<std::uint64_t, std::int64_t> vu_of_;       // client conn → virtual user
    std::unordered_map<std::uint64_t, std::string> names_;        // client req → a lesson's name
};

// The naming in force for this frame (not owned; nullptr: none).
struct RequestNaming {
    const RequestIndex* index = nullptr;
    const std::vector<std::string>* mix_paths = nullptr;  // the mix's paths, in its order
};
void set_request_naming(RequestNaming naming);
RequestNaming request_naming();

enum class LabelForm : std::uint8_t {
    Full,   // "#34 /io?ms=50"
    Short,  // "#34"
};

// A request by its ids; either may be 0 (server_req alone is looked up in the index).
std::string request_label(std::uint64_t client_req, std::uint64_t server_req, LabelForm form = LabelForm::Full);
// The request a server connection carries now (its current or last one); "" if none yet.
std::string request_label(const trace::Connection& conn, LabelForm form = LabelForm::Full);
// The request a client connection sends or waits on now; "" if none yet.
std::string request_label(const trace::LoadConn& conn, LabelForm form = LabelForm::Full);

// What the Topology's rows call a server connection: the short name of the
// request it carries ("#34", "A": the client's current one, which the server
// may still be reading), or its client port (":34424") when it has none.
std::string connection_label(const trace::World& world, const trace::Connection& conn);

}  // namespace minicorn::studio
