// app/studio/compare.cpp — the Compare view's engines: planning, starting,
// ingesting, the shared client and gate, the picked request (see compare.h).
// The drawing is in compare_layout.cpp.
#include "app/studio/compare.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <cstdio>
#include <limits>
#include <utility>

#include "app/studio/traffic_mix.h"
#include "engine/compare/compare_config.h"

namespace minicorn::studio {

namespace {

// The live TraceModel keeps no keyframes of its own (Keyframes does, off this thread).
constexpr std::size_t kNoKeyframes = std::numeric_limits<std::size_t>::max();
// The clients wait for every engine to boot, but not for one that never does.
constexpr double kClientsWaitS = 15.0;

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

bool CompareEngine::booted() const {
    const auto procs = latest->workers();
    return std::any_of(procs.begin(), procs.end(), [](const trace::Process* p) { return p->booted_ns != 0; });
}

CompareView::CompareView(CompareOptions options) : options_(std::move(options)), traffic_(options_.traffic) {
    for (const auto& entry : parse_mix(traffic_.mix).entries) mix_paths_.push_back(entry.path);
}

CompareView::~CompareView() { stop(); }

bool CompareView::start(std::string* error) {
    // minicorn compare's planner: the same flags for every model, --threads for gthread only.
    compare::CompareConfig cfg;
    cfg.models = options_.models;
    cfg.serve = options_.serve_flags;
    cfg.config_file = options_.config_file;
    cfg.mix = traffic_.mix;
    cfg.seed = kCompareSeed;
    const auto scenario = compare::resolve_scenario(cfg, "");
    if (const auto* err = std::get_if<std::string>(&scenario)) {
        *error = *err;
        return false;
    }
    const std::string bin = options_.minicorn_bin.empty() ? find_minicorn_bin() : options_.minicorn_bin;
    for (const std::string& model : options_.models) {
        auto plan = compare::make_plan(cfg, std::get<compare::Scenario>(scenario), model, bin);
        if (const auto* err = std::get_if<std::string>(&plan)) {
            *error = model + ": " + *err;
            return false;
        }
        auto eng = std::make_unique<CompareEngine>(bin);
        eng->model = model;
        eng->serve_args = {"-k", model};
        const auto& p = std::get<compare::RunPlan>(plan);
        eng->serve_args.insert(eng->serve_args.end(), p.serve.begin(), p.serve.end());
        eng->workers = p.workers;
        eng->topology.min_height = 200;  // three stacked in 1000 px: each lays out in what it has
        eng->model_of_rec = std::make_unique<trace::TraceModel>(*eng->rec, kNoKeyframes);
        eng->keys = std::make_unique<trace::Keyframes>(*eng->rec);
        eng->latest = eng->keys->latest();
        engines_.push_back(std::move(eng));
    }
    rings_.assign(engines_.size(), {0, 0, 0, 0});
    for (auto& eng : engines_) {
        if (!eng->session.start_serve(eng->serve_args, error)) {
            *error = eng->model + ": " + *error;
            stop();
            return false;
        }
    }
    return true;
}

void CompareView::stop() {
    for (auto& eng : engines_) {
        eng->session.stop();
        eng->keys.reset();  // its thread reads the Recording
    }
    engines_.clear();
}

void CompareView::ingest() {
    for (auto& eng : engines_) {
        if (eng->session.update(*eng->rec) > 0) eng->keys->poke();
        eng->latest = eng->keys->latest();
        eng->metrics.update(*eng->rec, *eng->latest);
        eng->requests.update(*eng->rec);
        eng->gate.follow(eng->session.gate());
        eng->gate.pump(eng->session.gate(), 0, *eng->latest, seconds_now());
    }
    start_clients();
}

// Every client starts in the same frame, once every engine has a booted
// worker: the same schedule from the same instant (as near as one frame).
void CompareView::start_clients() {
    if (!traffic_.wanted || engines_.empty()) return;
    if (std::all_of(engines_.begin(), engines_.end(), [](const auto& e) { return e->client_started; })) return;
    const bool any_booted = std::any_of(engines_.begin(), engines_.end(), [](const auto& e) { return e->booted(); });
    if (!any_booted) return;
    if (clients_wait_since_ == 0) clients_wait_since_ = seconds_now();
    const bool all_booted = std::all_of(engines_.begin(), engines_.end(), [](const auto& e) {
        return e->booted() || !e->session.running();
    });
    if (!all_booted && seconds_now() - clients_wait_since_ < kClientsWaitS) return;
    traffic_.applied = load_args(traffic_);
    std::vector<std::string> args = traffic_.applied;
    args.insert(args.end(), {"--seed", std::to_string(kCompareSeed)});
    for (auto& eng : engines_) {
        if (eng->client_started || !eng->session.running() || eng->session.port() == 0) continue;
        std::string error;
        if (!eng->session.start_load(args, &error)) {
            std::fprintf(stderr, "minicorn-studio: %s client: %s\n", eng->model.c_str(), error.c_str());
        }
        eng->client_started = true;
    }
}

// New traffic settings (or Stop): every client stops; start_clients sends the new schedule to all.
void CompareView::restart_clients() {
    for (auto& eng : engines_) {
        eng->session.stop_load();
        eng->client_started = false;
    }
    clients_wait_since_ = 0;
    mix_paths_.clear();
    for (const auto& entry : parse_mix(traffic_.mix).entries) mix_paths_.push_back(entry.path);
}

bool CompareView::warmed_up() const {
    for (const auto& eng : engines_) {
        if (eng->session.serve().state == ChildState::Exited) continue;  // nothing more will come
        if (!eng->booted()) return false;
        if (traffic_.wanted && eng->metrics.total_requests() == 0) return false;
    }
    return true;
}

void CompareView::act_on_engine(CompareEngine& eng, const Action& a) {
    switch (a.kind) {
    case Action::Kind::SignalArbiter: eng.session.signal_arbiter(a.signo); break;
    case Action::Kind::KillWorker: eng.session.kill_worker(a.pid); break;
    default: break;
    }
}

void CompareView::carry_out(const Actions& actions) {
    for (const Action& a : actions) {
        switch (a.kind) {
        case Action::Kind::GatePause:
        case Action::Kind::GateStep:
        case Action::Kind::GatePlay:
            // Every gate together: one step each, so the engines stay side by side.
            for (auto& eng : engines_) eng->gate.act(eng->session.gate(), a, 0);
            break;
        case Action::Kind::TrafficStart:
            traffic_.wanted = true;
            restart_clients();
            break;
        case Action::Kind::TrafficStop:
            traffic_.wanted = false;
            restart_clients();
            break;
        default: break;
        }
    }
}

void CompareView::pick_oldest_request() {
    if (engines_.empty()) return;
    const CompareEngine& eng = *engines_.front();
    std::uint64_t best = 0;
    for (const auto& [id, conn] : eng.latest->connections) {
        const std::uint64_t req = client_request(*eng.latest, conn);
        if (req && (best == 0 || req < best)) best = req;
    }
    if (best) pick(eng, best);
}

void CompareView::pick(const CompareEngine& eng, std::uint64_t client_req) {
    picked_ = request_number(client_req);  // the client's pid (the high bits) differs per engine
    set_request_naming({&eng.requests, &mix_paths_});
    picked_name_ = request_label(client_req, 0);
    set_request_naming({});
}

std::uint64_t client_request(const trace::World& world, const trace::Connection& conn) {
    const trace::LoadConn* client = world.client_side(conn);
    return client && client->req ? client->req : conn.client_req;
}

View CompareView::view_of(CompareEngine& eng) const {
    const trace::World& world = *eng.latest;
    const long long wanted = world.arbiter.workers_wanted > 0 ? world.arbiter.workers_wanted : eng.workers;
    View view{world, *eng.rec, *eng.model_of_rec, world.now_ns, true, eng.gate.paused(), eng.model,
              static_cast<int>(wanted)};
    view.mix_paths = mix_paths_;
    view.play_rate = eng.gate.play_rate();
    view.step_target = eng.gate.target();
    view.gate_note = eng.gate.note();
    view.keys = eng.keys.get();
    view.shown_events = eng.rec->size();
    return view;
}

nlohmann::json compare_snapshot(const CompareView& view) {
    nlohmann::json j;
    j["picked"] = view.picked();
    j["seed"] = kCompareSeed;
    j["engines"] = nlohmann::json::array();
    for (std::size_t i = 0; i < view.engines().size(); ++i) {
        const CompareEngine& eng = *view.engines()[i];
        const auto& ring = view.rings()[i];
        std::size_t booted = 0;
        for (const trace::Process* p : eng.latest->workers()) booted += p->booted_ns != 0 ? 1 : 0;
        j["engines"].push_back({{"model", eng.model},
                                {"serve", eng.serve_args},
                                {"port", eng.session.port()},
                                {"events", eng.rec->size()},
                                {"workers_booted", booted},
                                {"requests", eng.metrics.total_requests()},
                                {"client", eng.session.load().command},
                                {"paused", eng.gate.paused()},
                                {"ring", {{"x", ring[0]}, {"y", ring[1]}, {"w", ring[2]}, {"h", ring[3]}}}});
    }
    return j;
}

std::uint32_t model_color(std::size_t index) {
    // Six colours apart from the stage colours' meaning: legend colours only, never a token's.
    static const std::uint32_t kColors[] = {
        IM_COL32(240, 128, 80, 255),   // orange
        IM_COL32(110, 170, 255, 255),  // blue
        IM_COL32(120, 220, 120, 255),  // green
        IM_COL32(225, 120, 220, 255),  // pink
        IM_COL32(240, 220, 90, 255),   // yellow
        IM_COL32(100, 220, 220, 255),  // cyan
    };
    return kColors[index % std::size(kColors)];
}

}  // namespace minicorn::studio
