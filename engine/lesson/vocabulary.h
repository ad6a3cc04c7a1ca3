// engine/lesson/vocabulary.h — the closed set of measures a lesson may name in
// `wait`, `pause_when`, `expect` and `ask`. Each reads only the World, the
// Recording, the named requests' own timings and the server's log — what
// the panels see. A Bool measure is a predicate (`finished(A)`); the others
// are compared (`latency(B) >= 1.8s`, `state(worker 1) == handling`).
//
// The table (measures()) is the documentation too: docs/lessons.md lists the
// same names, meanings and examples, and a test checks that it does.
//
// Plain functions over a Context; no threads of their own.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/lesson/lesson.h"
#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::lesson {

// What the runner knows of one named request from its own side of the socket.
struct RequestRecord {
    std::string name;               // "A"
    std::uint64_t id = 0;           // the X-Request-Id it carries
    std::string target;             // "/io?ms=1000"
    std::uint64_t sent_ns = 0;      // connect began (CLOCK_MONOTONIC)
    std::uint64_t done_ns = 0;      // the connection ended (response read to EOF, or cut), 0: not yet
    int status = 0;                 // the response's status, 0: none (yet)
    bool got_bytes = false;         // any byte of a response came back
    bool complete = false;          // a whole response came back
    int local_port = 0;             // its connection's local port (the server's peer_port), 0 before connect
    std::string body;               // the response's body (its first 512 bytes), once complete
};

// The server's side of a named request, joined through RequestTagged.
struct ServerSide {
    std::uint64_t conn = 0;
    std::uint64_t req = 0;
    pid_t pid = 0;                  // the worker that parsed it
};

// Everything a measure may read, at one instant.
struct Context {
    const trace::World& world;
    const trace::Recording& rec;
    const std::map<std::string, RequestRecord>& requests;   // by name
    const std::map<std::uint64_t, ServerSide>& server;      // by X-Request-Id
    std::string_view log;            // what serve wrote (its error log)
    std::uint64_t now_ns = 0;        // the instant judged (CLOCK_MONOTONIC)
};

// A measure's parameter kinds, in order.
enum class Param : std::uint8_t {
    Request,   // a request name the lesson sent: A
    Worker,    // worker N
    Text,      // "quoted text"
    Span,      // handler        (what max_concurrent counts)
    ParkOn,    // timer | socket
};

using Measured = std::optional<Value>;  // nullopt: not known yet (why in *why)
using MeasureFn = Measured (*)(const Context&, std::span<const Arg>, std::string* why);

struct MeasureDef {
    std::string_view name;
    std::vector<Param> params;
    ValueType type;
    std::vector<std::string_view> words;  // Word measures: the values it can take
    std::string_view meaning;             // one line, for docs/lessons.md
    std::string_view example;             // as a lesson writes it
    MeasureFn fn;
};

// The whole vocabulary, in the order docs/lessons.md lists it.
const std::vector<MeasureDef>& measures();
const MeasureDef* find_measure(std::string_view name);

// Parses one term: `[not] name(args) [op value]`. On error returns false and
// says what was expected in *error. `requests`: the names sent so far.
// `bare`: a measure of any type may stand alone (an ask's `measure:`).
bool parse_term(std::string_view text, const std::vector<std::string>& requests, Term* out, std::string* error,
                bool bare = false);
// Parses `term and term …`.
bool parse_condition(std::string_view text, const std::vector<std::string>& requests, Condition* out,
                     std::string* error);
// A choice's `when`: the comparison part only (`< 1.5s`, `yes`, `== handling`),
// applied to `measure`.
bool parse_when(std::string_view text, const Term& measure, Term* out, std::string* error);

// How a term came out, with the figure that decided it ("latency(B) = 2.03 s").
struct Verdict {
    bool holds = false;
    bool known = false;     // false: a measure could not be taken yet (figure says why)
    std::string figure;
};
Verdict evaluate(const Term& term, const Context& ctx);
Verdict evaluate(const Condition& cond, const Context& ctx);
// The measure alone, shown ("2.03 s", "handling", "yes").
std::string show(const Value& v);
std::string_view to_string(Op op);

}  // namespace minicorn::lesson
