// engine/trace/passport.h — a request's passport: its whole life, in order,
// read from the Recording — connect, the kernel's accept queue, the worker
// (pid, thread, greenlet) that took it, read, parse, queued for a pool thread,
// waiting for the GIL, parked on a timer or an fd, the handler, the write,
// kept alive, closed — each stage with its start and duration, and for every
// wait longer than kPassportWaitThresholdNs the reason, read from the World at
// that instant, in plain words ("in the accept queue: the only worker was
// busy — worker 1 reading a slow client (a slowloris) for 1.2 s").
//
// The stages tile the request's life with no gap and no overlap: each starts
// where the one before ends. The client's send and its last byte cut the
// life in three parts (before the send: the connect; between: the latency the
// client measured; after: kept alive, closed), so the durations of the
// Latency stages sum to the client's latency. Clocks of different processes
// and the order events are traced in can disagree by a few microseconds; a
// boundary that would go back in time is moved forward to the one before.
//
// Files: passport.cpp finds the request's events and cuts the stages;
// passport_reasons.cpp says why a wait was long, from the World.
//
// Plain values; no threads. Reads the Recording (which must not grow meanwhile
// on another thread) and asks `world_at` for the World at the waits' instants.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::trace {

// A wait at least this long gets a reason (a learner notices 5 ms; a shorter
// wait is the machinery's normal hand-over).
inline constexpr std::uint64_t kPassportWaitThresholdNs = 5'000'000;

enum class StageKind : std::uint8_t {
    Connect,        // the client's connect(): ClientConnectStart .. its send
    AcceptQueue,    // sent, in the kernel's accept queue: .. Accepted
    Accepted,       // a worker accepted it: .. the worker starts on it (greenlet switched to, callback run)
    KeepAliveWait,  // sent on a kept-alive connection: .. the worker notices (KeepAliveResume, its read)
    PoolQueue,      // gthread: PoolSubmit .. PoolStart (waits for a free pool thread)
    Read,           // ReadStart .. ReadDone (a slow client keeps it here)
    Parse,          // ReadDone .. HandlerStart (the request object is made)
    GilWait,        // GilWait .. GilAcquire of the thread serving it
    ParkedTimer,    // its greenlet parked on a timer (a patched sleep) .. GreenWake
    ParkedFd,       // its greenlet parked on an fd (its socket, the /db backend) .. GreenWake
    GreenReady,     // its greenlet woke (GreenWake) .. its next event: ready, waiting for the hub to run it
    Handler,        // HandlerStart .. WriteStart: the app runs
    Write,          // WriteStart .. WriteDone
    Delivery,       // the response is written; the client has not read all of it yet
    KeptAlive,      // after the response: the connection waits for its next request
    Closed,         // Close: the end (no duration)
};
std::string_view to_string(StageKind kind);  // "in the kernel's accept queue"
bool is_wait(StageKind kind);                // a stage a reason can explain

enum class StagePart : std::uint8_t {
    BeforeSend,  // before the client sent the request (its connect)
    Latency,     // the client's send .. the response's last byte
    AfterDone,   // after the client had the whole response
};
std::string_view to_string(StagePart part);

struct Stage {
    StageKind kind = StageKind::Read;
    StagePart part = StagePart::Latency;
    std::uint64_t start_ns = 0;
    std::uint64_t duration_ns = 0;
    pid_t pid = 0;            // the process it happens in (0: the client, the kernel)
    pid_t tid = 0;            // the thread, 0: not known
    std::uint32_t green = 0;  // the greenlet, 0: none
    std::int64_t fd = -1;     // ParkedFd: the fd
    std::string what;         // what happens, in plain words ("accepted by worker 1 (pid 812), greenlet 3")
    std::string reason;       // why a long wait was long, "" for a short one or one that is not a wait
    std::uint64_t end_ns() const { return start_ns + duration_ns; }
};

// The ids of one request; any may be 0 when that side is not in the recording.
struct RequestIds {
    std::uint64_t server_req = 0;   // Parsed.req (HandlerStart.req …)
    std::uint64_t server_conn = 0;
    std::uint64_t client_req = 0;   // minicorn load's id, sent as X-Request-Id
    std::uint64_t client_conn = 0;
};

struct Passport {
    RequestIds ids;
    std::uint64_t sent_ns = 0;      // ClientSendStart (or the server's first sign of it)
    std::uint64_t done_ns = 0;      // ClientDone / ClientError (or WriteDone without a client)
    std::int64_t status = 0;        // the HTTP status
    std::int64_t mix_index = -1;    // which path of the client's mix
    bool client_seen = false;       // the client's side is in the recording
    // The response is in (the client's last byte, or without a client the
    // server's write). false: under way — the stages are its life so far, up
    // to the recording's last event, and done_ns is that event's time.
    bool complete = false;
    std::vector<Stage> stages;      // in order, tiling the life

    std::uint64_t latency_ns() const { return done_ns - sent_ns; }
    // The durations of the Latency stages, summed (equals latency_ns()).
    std::uint64_t latency_sum_ns() const;
    // The first stage of `kind`, nullptr if none.
    const Stage* find(StageKind kind) const;
};

// How the reasons name things (all optional).
struct PassportNaming {
    const std::vector<std::string>* mix_paths = nullptr;  // the client's mix, in order: "#34 /io?ms=50"
    std::uint64_t threshold_ns = kPassportWaitThresholdNs;
};

// The request `id` names: a server request id, or a client request id (the
// X-Request-Id minicorn load sent). nullopt when the recording has neither.
std::optional<RequestIds> find_request(const Recording& rec, std::uint64_t id);

using WorldAt = std::function<World(std::uint64_t t_ns)>;

// The passport of `ids` (from find_request): its whole life, or (under way)
// its life so far. Empty stages when neither the client's send nor the
// server's parse of it is recorded.
Passport build_passport(const Recording& rec, const RequestIds& ids, const WorldAt& world_at,
                        const PassportNaming& naming = {});

// "1.2 s", "35 ms", "0.42 ms", "8 µs": a duration as a learner reads it.
std::string format_duration(std::uint64_t ns);

// --- passport_reasons.cpp ---------------------------------------------------
// Why the wait `stage` of request `ids` lasted, from the World at an instant
// inside it; "" when the World says nothing useful.
std::string wait_reason(const World& world, const Stage& stage, const RequestIds& ids, const PassportNaming& naming);
// What a worker was doing at that instant: "reading a slow client (a slowloris) for 1.2 s".
std::string worker_doing(const World& world, const Process& worker, const PassportNaming& naming);

}  // namespace minicorn::trace
