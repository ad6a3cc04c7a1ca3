// engine/lesson/measures_internal.h — what the measure functions share: finding
// a named request, its server side and a worker, and the measures themselves
// (measures_request.cpp, measures_worker.cpp, measures_capacity.cpp), gathered into the table by
// measures.cpp.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine/lesson/vocabulary.h"

namespace minicorn::lesson::detail {

const RequestRecord* request_of(const Context& ctx, const Arg& a);
// Its server side, once the worker parsed it (RequestTagged); nullptr before.
const ServerSide* server_of(const Context& ctx, const Arg& a);
// The worker with that number (gunicorn's age: 1 is the first spawned), live
// or recently gone; nullptr (and *why) if none.
const trace::Process* worker_of(const Context& ctx, const Arg& a, std::string* why);
// Engine seconds between two CLOCK_MONOTONIC instants (time the gate was closed left out).
double engine_seconds(const Context& ctx, std::uint64_t from, std::uint64_t to);
// The first event of `kind` about server request `req` (0: none yet).
std::uint64_t request_event_time(const Context& ctx, std::uint64_t req, trace::EventKind kind);

Value yes_no(bool b);
Value count(std::int64_t n);
Value seconds(double s);
Value word(std::string_view w);

#define MINICORN_MEASURE(fn) Measured fn(const Context& ctx, std::span<const Arg> args, std::string* why)
// requests
MINICORN_MEASURE(m_finished);
MINICORN_MEASURE(m_dropped);
MINICORN_MEASURE(m_status);
MINICORN_MEASURE(m_latency);
MINICORN_MEASURE(m_elapsed);
MINICORN_MEASURE(m_waiting);
MINICORN_MEASURE(m_running);
MINICORN_MEASURE(m_parked);
MINICORN_MEASURE(m_polls_during);
MINICORN_MEASURE(m_heartbeats_during);
MINICORN_MEASURE(m_worker_of);
MINICORN_MEASURE(m_woken_by);
MINICORN_MEASURE(m_lost_race);
// workers
MINICORN_MEASURE(m_state);
MINICORN_MEASURE(m_booted);
MINICORN_MEASURE(m_worker_timeout);
MINICORN_MEASURE(m_threads);
MINICORN_MEASURE(m_pool_queue);
MINICORN_MEASURE(m_max_concurrent);
MINICORN_MEASURE(m_loop_phase);
MINICORN_MEASURE(m_loop_timers);
MINICORN_MEASURE(m_hub_blocked);
MINICORN_MEASURE(m_heartbeat_age);
MINICORN_MEASURE(m_greenlets_parked);
// what the application started itself (measures_app.cpp)
MINICORN_MEASURE(m_app_threads);
MINICORN_MEASURE(m_app_greenlets);
// the server as a whole
MINICORN_MEASURE(m_accept_queue);
MINICORN_MEASURE(m_workers);
MINICORN_MEASURE(m_timeouts);
MINICORN_MEASURE(m_client_requests);
MINICORN_MEASURE(m_client_connections);
MINICORN_MEASURE(m_log_contains);
// capacity (measures_capacity.cpp)
MINICORN_MEASURE(m_gil_wait);
MINICORN_MEASURE(m_kept_alive);
MINICORN_MEASURE(m_closed);
MINICORN_MEASURE(m_busy_threads);
MINICORN_MEASURE(m_restart_spread);
// memory and /version (measures_memory.cpp)
MINICORN_MEASURE(m_rss);
MINICORN_MEASURE(m_pss);
MINICORN_MEASURE(m_pss_sum);
MINICORN_MEASURE(m_version);
#undef MINICORN_MEASURE

// The rows of the capacity measures, appended to the table by measures().
std::vector<MeasureDef> capacity_measures();

}  // namespace minicorn::lesson::detail
