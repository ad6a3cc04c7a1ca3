// app/studio/compare.h — the studio's Compare view: the same traffic through
// 2–6 worker models at once, side by side (`minicorn-studio --compare
// sync,gthread,gevent`). "Which worker should I pick?", seen.
//
// One CompareEngine per model: its own Session (trace region, loopback port,
// `minicorn serve` and `minicorn load` children), Recording, Keyframes thread,
// Metrics, Topology state, gate and request names. The engines' serve flags
// come from `minicorn compare`'s own planner (engine/compare/compare_config.h:
// make_plan): the same -w and flags for all, --threads for gthread only, the
// config file read by every server. Every engine gets the same client flags
// and the same --seed, so the same request sequence ("#34 /io?ms=50" is the
// same request everywhere), and all clients start together once every engine
// has a booted worker.
//
// Pause / Step / Play act on every gate together (one step each). Clicking a
// token picks its request; that request is ringed in every engine's Topology.
//
// Compare is a mode of the Studio (studio.h), entered by --compare: the
// Studio hands it the frame while it is open; "Leave compare" returns to the
// one-engine studio with the same flags.
//
// Thread affinity: the studio's main thread (each engine's collector and
// Keyframes threads are their own).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/studio/draw/request_label.h"
#include "app/studio/gate_driver.h"
#include "app/studio/panels/metrics.h"
#include "app/studio/panels/topology.h"
#include "app/studio/panels/traffic.h"
#include "app/studio/panels/view.h"
#include "app/studio/session.h"
#include "engine/trace/keyframes.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"

namespace minicorn::studio {

struct PanelRect;

struct CompareOptions {
    std::vector<std::string> models;       // 2–6, as --compare listed them
    std::vector<std::string> serve_flags;  // every model's `minicorn serve` flags (no -k)
    std::string config_file;               // -c FILE: read by every server ("" none)
    TrafficState traffic;                  // the one client schedule every engine gets
    std::string minicorn_bin;
};

// The seed every engine's client is given (minicorn compare's default too).
inline constexpr int kCompareSeed = 1;

// One model's engine and everything the view keeps about it.
struct CompareEngine {
    explicit CompareEngine(const std::string& minicorn_bin) : session(minicorn_bin) {}

    std::string model;                     // "gevent"
    std::vector<std::string> serve_args;   // -k MODEL and the planned flags
    int workers = 1;                       // -w as planned (the title until the arbiter says)
    Session session;
    std::unique_ptr<trace::Recording> rec = std::make_unique<trace::Recording>();
    std::unique_ptr<trace::TraceModel> model_of_rec;
    std::unique_ptr<trace::Keyframes> keys;
    std::shared_ptr<const trace::World> latest;
    Metrics metrics;
    TopologyState topology;
    GateDriver gate;
    RequestIndex requests;
    bool client_started = false;

    bool booted() const;
};

class CompareView {
public:
    explicit CompareView(CompareOptions options);
    ~CompareView();
    CompareView(const CompareView&) = delete;
    CompareView& operator=(const CompareView&) = delete;

    // Plans every model's flags (an error when they do not parse, before
    // anything starts) and starts every server.
    bool start(std::string* error);
    // Once a frame: every engine's new events, its World, its metrics; the
    // clients once every engine has booted; the gates.
    void ingest();
    // Lays out and draws the view; `actions` (scripted ones, the keys) are
    // carried out after it. Returns false when the learner left Compare.
    bool frame(Actions actions, std::vector<PanelRect>& rects);
    // Every engine has a booted worker and, with traffic, answered requests.
    bool warmed_up() const;
    void stop();

    // Picks the oldest request in flight in the first engine (a click on
    // its token does the same): it is ringed in every engine.
    void pick_oldest_request();
    // The request picked: its number in the client's sequence ("#34"), 0 for none.
    // Every engine's client sends the same sequence (one seed), so #34 is the same request in each.
    std::uint64_t picked() const { return picked_; }
    // The engines in the order --compare listed them.
    const std::vector<std::unique_ptr<CompareEngine>>& engines() const { return engines_; }
    // Where each engine's ring was drawn last frame (0,0,0,0: its request is not on screen).
    const std::vector<std::array<float, 4>>& rings() const { return rings_; }
    const TrafficState& traffic() const { return traffic_; }
    const CompareOptions& options() const { return options_; }

private:
    void start_clients();
    void restart_clients();
    void carry_out(const Actions& actions);
    void act_on_engine(CompareEngine& eng, const Action& a);
    View view_of(CompareEngine& eng) const;
    void draw_engine(std::size_t i, float x, float y, float w, float h, std::vector<PanelRect>& rects);
    void draw_controls(float x, float y, float w, float h, std::vector<PanelRect>& rects);
    // The table and the overlaid plots; `in_columns`: side by side (a wide, short strip).
    void draw_plots(float x, float y, float w, float h, std::vector<PanelRect>& rects, bool in_columns);
    void ring_picked(std::size_t i, const CompareEngine& eng);
    void take_click(const CompareEngine& eng);
    // Picks client request `client_req` of `eng` (its full id: the client's pid in the high bits).
    void pick(const CompareEngine& eng, std::uint64_t client_req);

    CompareOptions options_;
    TrafficState traffic_;
    std::vector<std::string> mix_paths_;
    std::vector<std::unique_ptr<CompareEngine>> engines_;
    std::vector<std::array<float, 4>> rings_;
    std::uint64_t picked_ = 0;
    std::string picked_name_;        // "#34 /io?ms=50"
    bool leave_ = false;
    double clients_wait_since_ = 0;  // when the first engine booted (the clients wait for all, a while)
};

// The client's id (X-Request-Id) of the request a server connection carries, 0 if none yet.
std::uint64_t client_request(const trace::World& world, const trace::Connection& conn);
// Its number in the client's sequence (the same in every engine: "#34").
inline std::uint64_t request_number(std::uint64_t client_req) { return client_req & 0xffffffffu; }

// A model's colour in every plot and title of the view (by its place in --compare).
std::uint32_t model_color(std::size_t index);

// For --screenshot's sidecar: each engine's model, flags, events, workers,
// requests, client, and where the picked request was ringed.
nlohmann::json compare_snapshot(const CompareView& view);

}  // namespace minicorn::studio
