#include "engine/trace/emit.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "engine/trace/gate_time.h"
#include "engine/trace/kinds.h"
#include "engine/trace/region.h"

namespace minicorn::trace {

namespace detail {
Region* g_region = nullptr;
}  // namespace detail

namespace {

using detail::g_region;

// Bumped in every forked child: thread-local ring claims, the cached pid and
// the process slot all belong to the parent there.
std::atomic<unsigned> g_generation{1};
int g_role = 0;
ProcessSlot* g_slot = nullptr;  // this process's counters, located once at the claim
unsigned g_slot_generation = 0;
pid_t g_pid = 0;

[[maybe_unused]] const int g_atfork = ::pthread_atfork(nullptr, nullptr, [] {
    g_generation.fetch_add(1, std::memory_order_relaxed);
});

constexpr std::uint32_t kNoRing = ~0u;

// Releases the thread's ring when the thread exits.
struct ThreadRing {
    std::uint32_t index = kNoRing;
    unsigned generation = 0;
    pid_t tid = 0;
    // The claimed ring, located once at the claim (Region::ring() computes the layout each call).
    RingHeader* header = nullptr;
    Event* slots = nullptr;
    std::uint64_t capacity = 0;
    ~ThreadRing() {
        if (index != kNoRing && g_region && generation == g_generation.load(std::memory_order_relaxed)) {
            g_region->ring(index).owner_pid.store(0, std::memory_order_release);
        }
    }
};
thread_local ThreadRing t_ring;

pid_t current_pid() {
    unsigned gen = g_generation.load(std::memory_order_relaxed);
    if (g_slot_generation != gen) {  // first call in this process
        g_pid = ::getpid();
        g_slot = nullptr;
        RegionHeader& h = g_region->header();
        for (std::uint32_t i = 0; i < h.process_slots; ++i) {
            ProcessSlot& s = g_region->process_slot(i);
            std::int32_t expected = 0;
            if (s.pid.compare_exchange_strong(expected, g_pid, std::memory_order_acq_rel)) {
                for (auto& c : s.counters) c.store(0, std::memory_order_relaxed);
                s.heartbeat_engine_ns.store(0, std::memory_order_relaxed);
                s.role.store(g_role, std::memory_order_relaxed);
                g_slot = &s;
                break;
            }
        }
        g_slot_generation = gen;
    }
    return g_pid;
}

ProcessSlot* my_slot() {
    current_pid();
    return g_slot;
}

// The calling thread's ring, claimed on first use; kNoRing when all are taken.
std::uint32_t my_ring() {
    unsigned gen = g_generation.load(std::memory_order_relaxed);
    if (t_ring.generation == gen) return t_ring.index;
    pid_t pid = current_pid();
    t_ring.generation = gen;
    t_ring.tid = ::gettid();
    t_ring.index = kNoRing;
    for (std::uint32_t i = 0; i < g_region->ring_count(); ++i) {
        RingHeader& r = g_region->ring(i);
        std::int32_t expected = 0;
        if (r.owner_pid.compare_exchange_strong(expected, pid, std::memory_order_acq_rel)) {
            r.owner_tid.store(t_ring.tid, std::memory_order_relaxed);
            t_ring.index = i;
            t_ring.header = &r;
            t_ring.slots = g_region->ring_slots(i);
            t_ring.capacity = g_region->ring_capacity();
            break;
        }
    }
    return t_ring.index;
}

void short_nap() {
    timespec ts{0, 100'000};  // 100 µs
    ::nanosleep(&ts, nullptr);
}

thread_local GateWaitHook* t_gate_hook = nullptr;
thread_local std::uint32_t t_running_green = 0;  // set_running_green
// This thread took a token and its step is not over yet; the span its decision point began.
thread_local bool t_stepping = false;
thread_local Span t_step_span = Span::None;

// Whether `kind`, emitted by the stepped thread, ends its step: its next
// decision point, the end of the span its token began (HandlerStart: at
// HandlerEnd, not at the GIL hand-offs inside the handler), or, for a token
// that began no span, its next event but a GIL hand-off.
bool ends_step(EventKind kind) {
    const KindInfo& k = info(kind);
    if (k.gate == Gate::Gated) return true;
    if (t_step_span == Span::None) return k.family != Family::Gil;
    return k.span == t_step_span && (k.timeline == TimelineRole::Ends || k.timeline == TimelineRole::EndsConnection);
}

// Whether this thread's decision point about `conn` may take a token.
bool targeted(const RegionHeader& h, std::uint64_t conn) {
    const std::int32_t pid = h.target_pid.load(std::memory_order_relaxed);
    const std::int32_t tid = h.target_tid.load(std::memory_order_relaxed);
    const std::uint64_t c = h.target_conn.load(std::memory_order_acquire);
    return (pid == 0 || pid == g_pid) && (tid == 0 || tid == t_ring.tid) && (c == 0 || c == conn);
}

bool owns_step(const RegionHeader& h) {
    return h.step_owner_pid.load(std::memory_order_acquire) == g_pid && h.step_owner_tid.load(std::memory_order_relaxed) == t_ring.tid;
}

// A token taken: engine time runs for this thread's step (gate_time.h).
void begin_step(RegionHeader& h, EventKind kind) {
    const auto now = static_cast<std::int64_t>(now_ns());
    change_pause(h, [&](PauseState& s) {
        t_stepping = true;
        t_step_span = info(kind).span;
        run_time(s, now, now + kStepWindowNs);
        h.step_owner_pid.store(g_pid, std::memory_order_relaxed);
        h.step_owner_tid.store(t_ring.tid, std::memory_order_relaxed);
    });
}

// The stepped thread's step is over (ends_step): time stands still again,
// unless another thread's step took over meanwhile.
void end_step(RegionHeader& h) {
    t_stepping = false;
    const auto now = static_cast<std::int64_t>(now_ns());
    change_pause(h, [&](PauseState& s) {
        if (!owns_step(h)) return;
        stop_time(s, now);
        h.step_owner_pid.store(0, std::memory_order_relaxed);
        h.step_owner_tid.store(0, std::memory_order_relaxed);
    });
}

// A decision point in gated mode: wait for a token while the gate is closed
// (only this thread's target may take one). A thread that has to wait lets go
// of its GateWaitHook's resource first and takes it back after.
void pass_gate(RegionHeader& h, EventKind kind, std::uint64_t conn) {
    GateWaitHook* hook = nullptr;
    bool waited = false;
    while (h.gate_closed.load(std::memory_order_acquire) && !h.shutting_down.load(std::memory_order_relaxed)) {
        std::int64_t t = h.gate_tokens.load(std::memory_order_acquire);
        if (t > 0 && targeted(h, conn) && h.gate_tokens.compare_exchange_weak(t, t - 1, std::memory_order_acq_rel)) {
            h.last_step_pid.store(g_pid, std::memory_order_relaxed);
            h.last_step_tid.store(t_ring.tid, std::memory_order_relaxed);
            h.last_step_kind.store(static_cast<std::uint32_t>(kind), std::memory_order_release);
            begin_step(h, kind);
            break;
        }
        if (!waited) {
            waited = true;
            h.gate_waiting.fetch_add(1, std::memory_order_relaxed);
            hook = t_gate_hook;  // before_gate_wait may clear it (the GIL's holder changes)
            if (hook) hook->before_gate_wait();
        }
        short_nap();
    }
    if (waited) {
        h.gate_waiting.fetch_sub(1, std::memory_order_relaxed);
        if (hook) hook->after_gate_wait();
    }
    h.gated_passed.fetch_add(1, std::memory_order_relaxed);
}

// Writes one record into the calling thread's ring (`index`), or counts it
// dropped when the ring is full (in gated mode, waits for room instead).
// Inlined: it is the hot path of every emit.
[[gnu::always_inline]] inline void put(std::uint32_t index, bool gated, std::uint64_t t_ns, std::int32_t tid,
                                       EventKind kind, std::uint64_t conn, std::uint64_t req, std::int64_t a0,
                                       std::int64_t a1, std::uint32_t green) {
    if (index == kNoRing) {
        if (ProcessSlot* s = my_slot()) s->counters[static_cast<std::size_t>(CounterId::Drops)].fetch_add(1);
        return;
    }
    RingHeader& ring = *t_ring.header;
    const std::uint64_t cap = t_ring.capacity;
    std::uint64_t head = ring.head.load(std::memory_order_relaxed);
    while (head - ring.tail.load(std::memory_order_acquire) >= cap) {
        if (!gated || g_region->header().shutting_down.load(std::memory_order_relaxed)) {
            ring.dropped.fetch_add(1, std::memory_order_relaxed);
            if (ProcessSlot* s = my_slot()) {
                s->counters[static_cast<std::size_t>(CounterId::Drops)].fetch_add(1, std::memory_order_relaxed);
            }
            return;
        }
        short_nap();  // gated: nothing is lost, the producer waits for the collector
    }
    Event& e = t_ring.slots[head & (cap - 1)];
    e.t_ns = t_ns != 0 ? t_ns : now_ns();
    e.pid = g_pid;
    e.tid = tid;
    e.green = green;
    e.kind = kind;
    e.flags = 0;
    e.conn = conn;
    e.req = req;
    e.a0 = a0;
    e.a1 = a1;
    e.reserved = 0;
    ring.head.store(head + 1, std::memory_order_release);
}

}  // namespace

void detail::emit_slow(EventKind kind, std::uint64_t conn, std::uint64_t req, std::int64_t a0, std::int64_t a1,
                       std::uint32_t green) {
    if (green == kRunningGreen) green = t_running_green;
    RegionHeader& h = g_region->header();
    bool gated = h.gated_mode.load(std::memory_order_relaxed) != 0;
    std::uint32_t index = my_ring();  // first: the gate compares this thread's pid and tid with its target
    if (gated) {
        if (t_stepping && ends_step(kind)) end_step(h);
        if (is_gated(kind)) pass_gate(h, kind, conn);
    }
    put(index, gated, 0, t_ring.tid, kind, conn, req, a0, a1, green);
}

void detail::emit_for_slow(std::uint64_t t_ns, std::int32_t tid, EventKind kind, std::uint64_t conn,
                           std::uint64_t req, std::int64_t a0, std::int64_t a1, std::uint32_t green) {
    bool gated = g_region->header().gated_mode.load(std::memory_order_relaxed) != 0;
    if (green == kRunningGreen) green = 0;  // on behalf of another thread: its greenlet is not known here
    put(my_ring(), gated, t_ns, tid, kind, conn, req, a0, a1, green);
}

void set_running_green(std::uint32_t green) { t_running_green = green; }

void attach(Region* region, int role) {
    g_region = region;
    g_role = role;
    g_slot_generation = 0;
    g_generation.fetch_add(1, std::memory_order_relaxed);  // claim afresh on the next event
}

Region* region() { return g_region; }

void set_role(int role) {
    g_role = role;
    if (g_region) {
        if (ProcessSlot* s = my_slot()) s->role.store(role, std::memory_order_relaxed);
    }
}

void count(CounterId id, std::uint64_t delta) {
    if (!g_region) return;
    if (ProcessSlot* s = my_slot()) s->counters[static_cast<std::size_t>(id)].fetch_add(delta, std::memory_order_relaxed);
}

std::int64_t record_heartbeat() {
    const std::int64_t now = engine_now_ns();
    if (g_region) {
        if (ProcessSlot* s = my_slot()) s->heartbeat_engine_ns.store(now, std::memory_order_relaxed);
    }
    return now;
}

std::int64_t heartbeat_of(pid_t pid) {
    if (!g_region) return -1;
    RegionHeader& h = g_region->header();
    for (std::uint32_t i = 0; i < h.process_slots; ++i) {
        ProcessSlot& s = g_region->process_slot(i);
        if (s.pid.load(std::memory_order_relaxed) == pid) {
            std::int64_t hb = s.heartbeat_engine_ns.load(std::memory_order_relaxed);
            return hb > 0 ? hb : -1;
        }
    }
    return -1;
}

std::int64_t engine_now_ns() {
    auto now = static_cast<std::int64_t>(now_ns());
    if (!g_region) return now;
    return now - read_pause(g_region->header()).paused_until(now);
}

bool engine_paused() {
    if (!g_region) return false;
    return read_pause(g_region->header()).paused_from(static_cast<std::int64_t>(now_ns())) != 0;
}

void take_app_step() {
    if (!g_region) return;
    RegionHeader& h = g_region->header();
    if (!h.gated_mode.load(std::memory_order_relaxed) || !h.gate_closed.load(std::memory_order_acquire)) return;
    my_ring();  // the gate's target names threads by the tid this sets
    std::int64_t t = h.gate_tokens.load(std::memory_order_acquire);
    if (t <= 0 || !targeted(h, 0) || !h.gate_tokens.compare_exchange_strong(t, t - 1, std::memory_order_acq_rel)) return;
    h.last_step_pid.store(g_pid, std::memory_order_relaxed);
    h.last_step_tid.store(t_ring.tid, std::memory_order_relaxed);
    h.last_step_kind.store(static_cast<std::uint32_t>(EventKind::HandlerStart), std::memory_order_release);
    begin_step(h, EventKind::HandlerStart);  // over at HandlerEnd, or when its window runs out
    h.gated_passed.fetch_add(1, std::memory_order_relaxed);
}

namespace {

// Whether engine time runs for the calling thread's own waits in the app: the
// gate is open, or this thread holds the step. (Another thread's step runs
// the engine clock, but a step aimed at one worker leaves the others frozen.)
bool app_time_runs() {
    if (!g_region) return true;
    const RegionHeader& h = g_region->header();
    if (engine_paused()) return false;
    return h.step_owner_pid.load(std::memory_order_acquire) == 0 || owns_step(h);
}

// Counts the calling thread among those waiting at the gate while its app
// wait is frozen, as a decision point's wait is counted.
class FrozenWait {
public:
    void frozen(bool now) {
        if (!g_region || now == counted_) return;
        if (now) g_region->header().gate_waiting.fetch_add(1, std::memory_order_relaxed);
        else g_region->header().gate_waiting.fetch_sub(1, std::memory_order_relaxed);
        counted_ = now;
    }
    ~FrozenWait() { frozen(false); }

private:
    bool counted_ = false;
};

}  // namespace

namespace {
// Per thread: only the thread that runs the handlers asks (Python runs them in
// the main thread; a gthread pool thread's time.sleep is never cut short).
thread_local bool (*t_signal_probe)() = nullptr;
}  // namespace

void set_signal_probe(bool (*probe)()) { t_signal_probe = probe; }

bool sleep_engine_for(std::int64_t& left_ns) {
    FrozenWait wait;
    bool (*const signal_waiting)() = t_signal_probe;
    while (left_ns > 0) {
        if (signal_waiting && signal_waiting()) return false;
        if (!app_time_runs()) take_app_step();
        const bool runs = app_time_runs();
        wait.frozen(!runs);
        const std::int64_t nap = g_region ? std::min(left_ns, kEngineRecheckNs) : left_ns;
        timespec ts{static_cast<time_t>(nap / 1'000'000'000), static_cast<long>(nap % 1'000'000'000)};
        const auto start = static_cast<std::int64_t>(now_ns());
        const int rc = ::nanosleep(&ts, nullptr);
        if (runs) left_ns -= static_cast<std::int64_t>(now_ns()) - start;
        if (rc != 0 && errno == EINTR) return false;
    }
    return true;
}

void wait_while_paused() {
    if (app_time_runs()) return;
    FrozenWait wait;
    GateWaitHook* hook = t_gate_hook;  // CPU work holds the GIL: let a stepped thread have it
    if (hook) hook->before_gate_wait();
    while (!app_time_runs()) {
        take_app_step();
        if (app_time_runs()) break;
        wait.frozen(true);
        timespec ts{0, 10'000'000};  // 10 ms
        ::nanosleep(&ts, nullptr);
    }
    wait.frozen(false);
    if (hook) hook->after_gate_wait();
}

void set_gate_wait_hook(GateWaitHook* hook) { t_gate_hook = hook; }

void mark_shutting_down() {
    if (g_region) g_region->header().shutting_down.store(1, std::memory_order_release);
}

}  // namespace minicorn::trace
