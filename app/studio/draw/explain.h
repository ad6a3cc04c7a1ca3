// app/studio/draw/explain.h — the words the studio shows on hover: what a
// box, row or token is, in terms a learner understands ("greenlet 12, parked
// on fd 9 (client 127.0.0.1:53122), waiting to read the request head").
//
// Pure functions of the World at `now_ns`: no ImGui, so tests read the same
// text a user sees. Each builds one string; call them only for the hovered
// thing, not per item per frame.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/trace/world.h"

namespace minicorn::studio {

// "350 µs", "12 ms", "1.4 s", "3 min".
std::string format_duration(std::uint64_t ns);
// "127.0.0.1:53122" — the client side of a connection (the engine listens on loopback).
std::string client_address(const trace::Connection& conn);
// "worker 2 (gevent)" by its age if known, else "worker 4122".
std::string worker_name(const trace::Process& proc);
// "vu3" for a virtual user; "slowloris 1", "silent 2", … for a bad actor
// (minicorn load numbers those from 1,000,000 up, 100,000 apart per role).
std::string client_label(const trace::LoadConn& client);

// A connection's stage as a phrase: "reading the request head", "waiting in
// the executor queue for a free thread", …
std::string_view stage_phrase(trace::ConnStage stage);
// One word for a token's row: "reading", "queued", "keep-alive", …
std::string_view stage_word(trace::ConnStage stage);
// One word for what a client connection does: "connecting", "waiting", …
std::string_view client_stage_word(trace::ClientStage stage);
// What a worker's main thread is doing: "waiting in select() for a connection", ...
std::string_view process_state_phrase(const trace::Process& proc);
// The same in a word or two, for a small box ("polling", "handling").
std::string_view process_state_word(const trace::Process& proc);
// What a model is, in one sentence (its design, as gunicorn's docstrings say it).
std::string_view model_design(trace::ModelId model);

// The fd's owner in this process: "client 127.0.0.1:53122", "the listening
// socket", or "fd 17 (not a client connection: the /db backend, a pipe, ...)".
std::string describe_fd(const trace::World& world, const trace::Process& proc, std::int64_t fd);

// The connection a greenlet works for: `known` (learnt from the events, see
// draw/green_index.h) if given, else the one its events named, else the
// one whose fd it is parked on, else (running) the one its thread serves.
// 0 for the acceptor (parked on a listening socket) and for one with none.
std::uint64_t greenlet_conn(const trace::World& world, const trace::Process& proc, const trace::Greenlet& green,
                            std::uint64_t known = 0);
bool is_listen_fd(const trace::World& world, std::int64_t fd);

std::string explain_connection(const trace::World& world, const trace::Connection& conn);
std::string explain_client(const trace::World& world, const trace::LoadConn& client);
std::string explain_listener(const trace::World& world);
std::string explain_pending(const trace::World& world, std::size_t position);
std::string explain_arbiter(const trace::World& world);
std::string explain_worker(const trace::World& world, const trace::Process& proc);
std::string explain_thread(const trace::World& world, const trace::Process& proc, const trace::Thread& thread);
std::string explain_greenlet(const trace::World& world, const trace::Process& proc, const trace::Greenlet& green,
                             std::uint64_t known_conn = 0);
std::string explain_poll_fd(const trace::World& world, const trace::Process& proc, std::int64_t fd);
std::string explain_pool_queue(const trace::World& world, const trace::Process& proc);
std::string explain_keepalive(const trace::World& world, const trace::Process& proc);
std::string explain_gil(const trace::World& world, const trace::Process& proc);

}  // namespace minicorn::studio
