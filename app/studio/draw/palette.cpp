// app/studio/draw/palette.cpp — see palette.h. One hue per stage, the same
// hue for the span of the same step on the timeline, so a learner can match
// a token in the Topology with its bar on the Timeline by colour alone.
#include "app/studio/draw/palette.h"

#include <array>

namespace minicorn::studio {

namespace {
// Accepted, reading and parsed follow each other within milliseconds: three
// hues far apart (cyan, blue, pink), not three blues a learner cannot tell apart.
constexpr ImU32 kAccepted = IM_COL32(60, 215, 230, 255);
constexpr ImU32 kReading = IM_COL32(70, 120, 250, 255);
constexpr ImU32 kParsed = IM_COL32(240, 110, 190, 255);
constexpr ImU32 kQueued = IM_COL32(200, 190, 120, 255);
constexpr ImU32 kHandling = IM_COL32(245, 165, 50, 255);
constexpr ImU32 kWriting = IM_COL32(90, 200, 120, 255);
constexpr ImU32 kKeepAlive = IM_COL32(120, 125, 135, 255);
constexpr ImU32 kFailed = IM_COL32(235, 80, 70, 255);
constexpr ImU32 kWait = IM_COL32(50, 110, 80, 255);
constexpr ImU32 kParked = IM_COL32(150, 110, 210, 255);
constexpr ImU32 kBlocked = IM_COL32(200, 60, 60, 255);
constexpr ImU32 kDense = IM_COL32(170, 170, 180, 255);
}  // namespace

ImU32 stage_color(trace::ConnStage stage) {
    switch (stage) {
        case trace::ConnStage::Accepted: return kAccepted;
        case trace::ConnStage::Reading: return kReading;
        case trace::ConnStage::Parsed: return kParsed;
        case trace::ConnStage::ParseFailed: return kFailed;
        case trace::ConnStage::PoolQueued: return kQueued;
        case trace::ConnStage::Handling: return kHandling;
        case trace::ConnStage::Writing: return kWriting;
        case trace::ConnStage::KeepAlive: return kKeepAlive;
        case trace::ConnStage::Closed:
        case trace::ConnStage::kCount: break;
    }
    return kKeepAlive;
}

ImU32 client_color(trace::ClientStage stage) {
    switch (stage) {
        case trace::ClientStage::Connecting: return colors::kPending;
        case trace::ClientStage::Connected: return kAccepted;
        case trace::ClientStage::Sending: return kReading;
        case trace::ClientStage::Waiting: return kHandling;
        case trace::ClientStage::Receiving: return kWriting;
        case trace::ClientStage::Idle:
        case trace::ClientStage::Closed: break;
    }
    return kKeepAlive;
}

ImU32 mix_color(std::int64_t index) {
    static constexpr std::array<ImU32, kMixColors> kHues{
        IM_COL32(90, 160, 255, 255),  IM_COL32(240, 100, 90, 255),  IM_COL32(180, 130, 240, 255),
        IM_COL32(230, 230, 230, 255), IM_COL32(250, 200, 70, 255),  IM_COL32(90, 210, 190, 255),
        IM_COL32(240, 140, 200, 255), IM_COL32(160, 200, 90, 255),
    };
    if (index < 0) return kKeepAlive;
    return kHues[static_cast<std::size_t>(index) % kMixColors];
}

ImU32 loop_phase_color(std::int64_t phase) {
    switch (static_cast<trace::LoopPhaseId>(phase)) {
        case trace::LoopPhaseId::Timers: return IM_COL32(220, 120, 220, 255);
        case trace::LoopPhaseId::Callbacks: return IM_COL32(240, 215, 90, 255);
        case trace::LoopPhaseId::Poll: return IM_COL32(80, 200, 130, 255);
        case trace::LoopPhaseId::Dispatch: return IM_COL32(110, 180, 255, 255);
        case trace::LoopPhaseId::None: break;
    }
    return kDense;
}

ImU32 activity_color(trace::ThreadActivity activity) {
    switch (activity) {
        case trace::ThreadActivity::Idle: return kKeepAlive;
        case trace::ThreadActivity::Waiting: return kWait;
        case trace::ThreadActivity::Accepting: return kAccepted;
        case trace::ThreadActivity::Reading: return kReading;
        case trace::ThreadActivity::Handling: return kHandling;
        case trace::ThreadActivity::Writing: return kWriting;
    }
    return kKeepAlive;
}

ImU32 span_color(SpanKind kind) {
    switch (kind) {
        case SpanKind::Accept: return kAccepted;
        case SpanKind::Read: return kReading;
        case SpanKind::Handle: return kHandling;
        case SpanKind::Write: return kWriting;
        case SpanKind::Wait: return kWait;
        case SpanKind::Parked: return kParked;
        case SpanKind::Blocked: return kBlocked;
        case SpanKind::Dense:
        case SpanKind::kCount: break;
    }
    return kDense;
}

const char* span_label(SpanKind kind) {
    switch (kind) {
        case SpanKind::Accept: return "accept";
        case SpanKind::Read: return "read";
        case SpanKind::Handle: return "handle";
        case SpanKind::Write: return "write";
        case SpanKind::Wait: return "poll wait";
        case SpanKind::Parked: return "parked";
        case SpanKind::Blocked: return "GIL wait";
        case SpanKind::Dense:
        case SpanKind::kCount: break;
    }
    return "many";
}

std::span<const LegendEntry> topology_legend() {
    static const std::array<LegendEntry, 11> kEntries{{
        {Shape::Pending, colors::kPending, "pending", "a connection in the kernel's accept queue: connected, not yet accepted by a worker"},
        {Shape::Token, kAccepted, "accepted", "a worker accepted it; nothing read yet"},
        {Shape::Token, kReading, "reading", "the worker reads the request head (a slow client keeps it here)"},
        {Shape::Token, kParsed, "parsed", "a whole request is in; the app is about to run"},
        {Shape::Token, kQueued, "queued", "gthread: waiting in the executor queue for a free pool thread"},
        {Shape::Token, kHandling, "handling", "the app's handler runs (/, /io, /cpu, /db; \"dots by: path\" tells them apart)"},
        {Shape::Token, kWriting, "writing", "the response is being written"},
        {Shape::Token, kKeepAlive, "keep-alive", "idle between requests, kept open for the next one"},
        {Shape::Token, kFailed, "bad request", "the request could not be parsed; an error page goes back"},
        {Shape::Running, colors::kRunningRing, "running", "this greenlet or thread is the one running right now"},
        {Shape::Idle, colors::kTextDim, "idle", "a greenlet or thread with no connection (the acceptor, a free pool thread)"},
    }};
    return kEntries;
}

std::span<const LegendEntry> client_legend() {
    static const std::array<LegendEntry, 6> kEntries{{
        {Shape::Pending, colors::kPending, "connecting", "connect() in progress, or done and waiting in the accept queue"},
        {Shape::Token, kAccepted, "connected", "connected; nothing sent yet (a silent client stays here)"},
        {Shape::Token, kReading, "sending", "writing its request (a slowloris dribbles here)"},
        {Shape::Token, kHandling, "waiting", "the request is out; no byte of the response yet"},
        {Shape::Token, kWriting, "receiving", "reading the response"},
        {Shape::Token, kKeepAlive, "idle", "between requests on a kept-alive connection"},
    }};
    return kEntries;
}

std::span<const LegendEntry> loop_phase_legend() {
    static const std::array<LegendEntry, 4> kEntries{{
        {Shape::Tick, loop_phase_color(1), "timers", "the loop runs the timers that are due"},
        {Shape::Tick, loop_phase_color(2), "callbacks", "the loop runs its ready callbacks (a request's handler is one)"},
        {Shape::Tick, loop_phase_color(3), "poll", "the loop asks the poller which fds are ready"},
        {Shape::Tick, loop_phase_color(4), "dispatch", "the loop turns ready fds into callbacks"},
    }};
    return kEntries;
}

std::span<const LegendEntry> timeline_legend() {
    static const std::array<LegendEntry, 11> kEntries{{
        {Shape::Span, colors::kKernelBorder, "accept queue", "the kernel's queue of pending connections over time (TCP_INFO samples), its own lane"},
        {Shape::Span, kAccepted, "accept", "accept() on the listening socket"},
        {Shape::Span, kReading, "read", "reading and parsing the request"},
        {Shape::Span, kHandling, "handle", "the app's handler runs"},
        {Shape::Span, kWriting, "write", "writing the response"},
        {Shape::Span, kWait, "poll wait", "idle in select()/poll()/epoll_wait until something is ready"},
        {Shape::Span, kParked, "parked", "threads and greenlets: solid while it runs, a thin line while it is ready (woken, waiting its turn), empty while parked, with what it waits on (a timer, an fd, the GIL)"},
        {Shape::Span, kBlocked, "GIL wait", "a thread waiting for the GIL: an empty stretch marked GIL on its lane"},
        {Shape::Span, kDense, "many", "several steps narrower than a pixel; zoom in (ctrl+wheel) to see them"},
        {Shape::Tick, colors::kHeartbeat, "heartbeat", "the worker told the arbiter it is alive"},
        {Shape::Tick, colors::kTextBad, "signal", "a signal, a kill, a spawn, a reap or a timeout (red mark on top of a lane)"},
    }};
    return kEntries;
}

}  // namespace minicorn::studio
