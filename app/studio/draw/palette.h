// app/studio/draw/palette.h — every colour and shape the Topology and
// Timeline panels use, and the table the Legend draws from, so the legend can
// never disagree with the panels.
//
// Colour means the same thing everywhere: a request's *stage* (reading: blue,
// the app running: amber, writing: green, …). The URL path (/, /io, /cpu, …)
// is not in the trace — the server side only sees bytes and stages — so the
// studio does not pretend to know it.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <span>

#include "engine/trace/world.h"

namespace minicorn::studio {

// What a timeline span means; also the order of its legend rows.
enum class SpanKind : std::uint8_t {
    Accept,     // AcceptAttempt .. Accepted / AcceptEagain
    Read,       // ReadStart .. ReadDone: reading the request
    Handle,     // HandlerStart .. HandlerEnd: the app runs
    Write,      // WriteStart .. WriteDone: sending the response
    Wait,       // SelectWait / PollWait / FuturesWait .. the wake: idle in the poller
    Parked,     // GreenPark .. GreenWake: a greenlet waits on an fd or a timer
    Blocked,    // GilWait .. GilAcquire: a thread waits for the GIL
    Dense,      // several spans narrower than a pixel, merged into one
    kCount
};
inline constexpr std::size_t kSpanKindCount = static_cast<std::size_t>(SpanKind::kCount);

namespace colors {
inline constexpr ImU32 kBoxBg = IM_COL32(24, 28, 36, 255);
inline constexpr ImU32 kBoxBorder = IM_COL32(90, 110, 150, 255);
inline constexpr ImU32 kBoxBorderBusy = IM_COL32(110, 200, 140, 255);
inline constexpr ImU32 kBoxBorderBad = IM_COL32(230, 90, 80, 255);
inline constexpr ImU32 kKernelBorder = IM_COL32(210, 160, 60, 255);
inline constexpr ImU32 kInnerBg = IM_COL32(30, 36, 46, 255);
inline constexpr ImU32 kText = IM_COL32(225, 228, 235, 255);
inline constexpr ImU32 kTextDim = IM_COL32(150, 158, 172, 255);
inline constexpr ImU32 kTextWarn = IM_COL32(240, 190, 80, 255);
inline constexpr ImU32 kTextBad = IM_COL32(240, 110, 100, 255);
inline constexpr ImU32 kWire = IM_COL32(120, 130, 150, 90);
inline constexpr ImU32 kPending = IM_COL32(200, 200, 210, 255);
inline constexpr ImU32 kRunningRing = IM_COL32(120, 240, 140, 255);
inline constexpr ImU32 kHeartbeat = IM_COL32(100, 150, 230, 255);
inline constexpr ImU32 kLaneBgA = IM_COL32(22, 24, 30, 255);
inline constexpr ImU32 kLaneBgB = IM_COL32(28, 30, 38, 255);
inline constexpr ImU32 kNowLine = IM_COL32(255, 255, 255, 140);
inline constexpr ImU32 kHover = IM_COL32(255, 255, 255, 200);
}  // namespace colors

// A request token's colour: its connection's stage.
ImU32 stage_color(trace::ConnStage stage);
// A client connection's stage in the same hues: sending = the server reading,
// waiting = the server handling, receiving = the server writing.
ImU32 client_color(trace::ClientStage stage);
// The colour of path #index (0-based) of the client's traffic mix, when the
// Topology colours tokens by path; 8 hues, then they repeat.
inline constexpr std::size_t kMixColors = 8;
ImU32 mix_color(std::int64_t index);
// An event loop's phase (LoopPhaseId) on the timeline's strip.
ImU32 loop_phase_color(std::int64_t phase);
// A thread's activity in the same colours (reading = the Reading stage, …).
ImU32 activity_color(trace::ThreadActivity activity);
ImU32 span_color(SpanKind kind);
// "read", "handle", … — the short word drawn inside a span.
const char* span_label(SpanKind kind);

// How a thing is drawn; the Legend draws each with draw_shape().
enum class Shape : std::uint8_t {
    Token,        // filled circle: a connection with a request in it (colour = stage)
    Pending,      // hollow circle: a connection waiting in the kernel's accept queue
    Running,      // a ring around a token: the greenlet / thread that runs right now
    Idle,         // small dim square: an idle greenlet or thread with no connection
    Span,         // a bar on the timeline
    Tick,         // a thin mark on the timeline (heartbeat, signal, spawn)
};

struct LegendEntry {
    Shape shape;
    ImU32 color;
    const char* label;    // "reading"
    const char* meaning;  // the sentence under the hover
};

// The Topology's entries (stages, tokens, greenlet states), the client
// column's, and the Timeline's (span kinds, ticks).
std::span<const LegendEntry> topology_legend();
std::span<const LegendEntry> client_legend();
std::span<const LegendEntry> timeline_legend();
std::span<const LegendEntry> loop_phase_legend();

}  // namespace minicorn::studio
