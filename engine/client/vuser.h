// engine/client/vuser.h — one virtual user (or bad actor) of the load
// client: its connection, where it is in its request, and the request bytes.
// The transitions between the states are LoadEngine's (vuser.cpp), driven by
// epoll readiness and timers on the engine's thread.
//
//   good user:  Idle → Connecting → Sending → Receiving → (Sending … | Idle)
//   open loop:  … Receiving → Parked (keep-alive, waiting for an arrival)
//   slowloris:  Connecting → Dribbling (a byte a tick) → Receiving → Dribbling …
//   silent:     Connecting → Holding (forever, until the server cuts it)
//   slow reader:Connecting → Sending → SlowReading (a little a tick) → Sending …
//   aborter:    Connecting → Holding (half the head sent) → reset → Idle (a tick)
//
// Plain data owned by one engine thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/client/load_config.h"
#include "engine/client/response_reader.h"
#include "engine/trace/event.h"

namespace minicorn::client {

enum class VuState : std::uint8_t {
    Idle,         // no socket: about to (re)connect, or waiting a tick to
    Connecting,   // non-blocking connect() in progress (EPOLLOUT)
    Sending,      // the request is going out (EPOLLOUT while the socket is full)
    Receiving,    // waiting for / reading the response
    Dribbling,    // slowloris: the head goes out one byte a tick
    SlowReading,  // slow reader: one small read a tick
    Holding,      // silent (forever) or aborter (until its tick): connected, sending nothing
    Parked,       // open loop: an idle keep-alive connection waiting for the next arrival
    Finished,     // done for this run (-n reached, or stopping)
};

struct VUser {
    std::uint32_t index = 0;        // in the engine's table
    std::int64_t number = 0;        // the virtual user number shown in the trace (ClientConnectStart a0)
    trace::ClientRole role = trace::ClientRole::Good;
    VuState state = VuState::Idle;

    int fd = -1;
    std::uint32_t gen = 0;          // bumped at every close: epoll events and timers of an old socket are ignored
    std::uint32_t events = 0;       // the epoll interest set now
    bool in_epoll = false;          // the socket is in the engine's epoll set
    bool connected_once = false;    // a bad actor's first connect is done (the good users wait for it)
    std::uint64_t conn = 0;         // client connection id (trace)
    std::int64_t local_port = 0;
    std::int64_t requests_on_conn = 0;

    std::uint64_t req = 0;          // the request id in flight (X-Request-Id), 0: none
    std::uint32_t mix_index = 0;
    std::string out;                // the request's bytes
    std::size_t out_off = 0;        // how many went out
    bool counts = false;            // a good request counted in attempts (not yet done or failed)
    bool first_byte = false;
    std::int64_t start_ns = 0;      // latency counts from here (send start; open loop: the arrival)
    std::int64_t deadline_ns = 0;   // --timeout; 0: none (bad actors)
    std::int64_t arrival_ns = 0;    // open loop: the arrival this connection is being opened for
    std::uint32_t timer_ticket = 0; // the live timer's ticket; older heap entries are stale
    ResponseReader reader;
};

// The request bytes of each mix entry, built once: only X-Request-Id varies.
class RequestTemplates {
public:
    RequestTemplates(const Url& url, const std::vector<MixEntry>& mix, KeepAlive keep_alive);
    // Writes the whole request for mix entry `i` with request id `req` into `out`.
    void build(std::uint32_t i, std::uint64_t req, std::string& out) const;
    std::uint32_t size() const { return static_cast<std::uint32_t>(prefix_.size()); }

private:
    std::vector<std::string> prefix_;  // "GET /path HTTP/1.1\r\nHost: …\r\nX-Request-Id: "
    std::string suffix_;               // "\r\n\r\n", or with Connection: close
};

}  // namespace minicorn::client
