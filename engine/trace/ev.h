// engine/trace/ev.h — typed emitters and decoders, one struct per EventKind,
// made from the schema table (schema.h). A producer names what it reports:
//
//     trace::ev::PollRegister{.conn = id, .fd = fd, .events = EPOLLIN}.emit();
//
// the collector fills a record it stamps itself (ev::Counter{…}.fill(e)); a
// test's script or a made-up recording builds a whole record by hand
// (ev::Accepted{.conn = c, .peer_port = 5000}.event(t_ns, pid, tid)); and a
// reader decodes an Event by the same names:
//
//     auto r = trace::ev::PollRegister::decode(e);   // r.conn, r.fd, r.events
//
// Members are in the order conn, req, green, then the arguments (a
// designated initializer must follow it); omitted ones are 0. A kind without
// a GREEN column has no `green` member: emit() stamps the greenlet running
// on the thread (emit.h set_running_green), so every event a greenlet emits
// says which one it was. An argument is
// a trace::Int, which takes any integer, bool or enum, so a producer never
// casts. emit() is emit.h's trace::emit with the fields in their slots: one
// branch with no region attached (see emit.h for the cost, threads, the gate).
#pragma once

#include <concepts>
#include <cstdint>
#include <type_traits>

#include "engine/trace/emit.h"

namespace minicorn::trace {

// An event argument (a0 / a1): 64-bit signed, made from any integer, bool or enum.
struct Int {
    std::int64_t v = 0;
    constexpr Int() = default;
    template <typename T>
        requires std::integral<T> || std::is_enum_v<T>
    constexpr Int(T x) : v(static_cast<std::int64_t>(x)) {}  // NOLINT: implicit on purpose
    constexpr operator std::int64_t() const { return v; }    // NOLINT
    template <typename E>
    constexpr E as() const { return static_cast<E>(v); }
};

namespace ev {

// A record stamped by hand — when, which process, which thread — and nothing
// else (kind None): what every builder below starts from. Producers never
// need it (emit() stamps its own); tests, made-up recordings and the
// collector do.
inline Event stamped(std::uint64_t t_ns, std::int32_t pid, std::int32_t tid) {
    Event e{};
    e.t_ns = t_ns;
    e.pid = pid;
    e.tid = tid;
    return e;
}

// clang-format off
// Pass 1: one struct per kind, its members the table's names.
#define MINICORN_EV_CONN(doc) std::uint64_t conn = 0;
#define MINICORN_EV_REQ(doc) std::uint64_t req = 0;
#define MINICORN_EV_GREEN(doc) std::uint32_t green = 0;
#define MINICORN_EV_ARG(n, type, doc) Int n = {};
#define MINICORN_EV_KIND(N, fam, role, sp, gt, label, meaning, fields) \
    struct N {                                                          \
        static constexpr EventKind kKind = EventKind::N;                \
        fields                                                          \
        inline void emit() const;                                       \
        inline void emit_for(std::uint64_t t_ns, std::int32_t tid) const; \
        inline void fill(Event& e) const;                               \
        Event event(std::uint64_t at_ns, std::int32_t of_pid, std::int32_t of_tid) const { \
            Event e = stamped(at_ns, of_pid, of_tid);                   \
            fill(e);                                                    \
            return e;                                                   \
        }                                                               \
        static inline N decode(const Event& e);                         \
    };
MINICORN_TRACE_KINDS(MINICORN_EV_KIND, MINICORN_EV_CONN, MINICORN_EV_REQ, MINICORN_EV_GREEN, MINICORN_EV_ARG,
                     MINICORN_EV_ARG)
#undef MINICORN_EV_KIND
#undef MINICORN_EV_CONN
#undef MINICORN_EV_REQ
#undef MINICORN_EV_GREEN
#undef MINICORN_EV_ARG

// Pass 2: emit() puts each member in its slot of the record.
#define MINICORN_EV_CONN(doc) c = conn;
#define MINICORN_EV_REQ(doc) r = req;
#define MINICORN_EV_GREEN(doc) g = green;
#define MINICORN_EV_A0(n, type, doc) a0 = n.v;
#define MINICORN_EV_A1(n, type, doc) a1 = n.v;
#define MINICORN_EV_KIND(N, fam, role, sp, gt, label, meaning, fields)                    \
    inline void N::emit() const {                                                          \
        [[maybe_unused]] std::uint64_t c = 0, r = 0;                                       \
        [[maybe_unused]] std::int64_t a0 = 0, a1 = 0;                                      \
        [[maybe_unused]] std::uint32_t g = kRunningGreen;                                  \
        fields                                                                             \
        trace::emit(kKind, c, r, a0, a1, g);                                               \
    }                                                                                      \
    inline void N::emit_for(std::uint64_t t_ns, std::int32_t tid) const {                  \
        [[maybe_unused]] std::uint64_t c = 0, r = 0;                                       \
        [[maybe_unused]] std::int64_t a0 = 0, a1 = 0;                                      \
        [[maybe_unused]] std::uint32_t g = 0;                                              \
        fields                                                                             \
        trace::emit_for(t_ns, tid, kKind, c, r, a0, a1, g);                                \
    }
MINICORN_TRACE_KINDS(MINICORN_EV_KIND, MINICORN_EV_CONN, MINICORN_EV_REQ, MINICORN_EV_GREEN, MINICORN_EV_A0,
                     MINICORN_EV_A1)
#undef MINICORN_EV_KIND
#undef MINICORN_EV_CONN
#undef MINICORN_EV_REQ
#undef MINICORN_EV_GREEN
#undef MINICORN_EV_A0
#undef MINICORN_EV_A1

// Pass 3: decode() reads them back by name.
#define MINICORN_EV_CONN(doc) out.conn = e.conn;
#define MINICORN_EV_REQ(doc) out.req = e.req;
#define MINICORN_EV_GREEN(doc) out.green = e.green;
#define MINICORN_EV_A0(n, type, doc) out.n = e.a0;
#define MINICORN_EV_A1(n, type, doc) out.n = e.a1;
#define MINICORN_EV_KIND(N, fam, role, sp, gt, label, meaning, fields) \
    inline N N::decode([[maybe_unused]] const Event& e) {               \
        N out{};                                                        \
        fields                                                          \
        return out;                                                     \
    }
MINICORN_TRACE_KINDS(MINICORN_EV_KIND, MINICORN_EV_CONN, MINICORN_EV_REQ, MINICORN_EV_GREEN, MINICORN_EV_A0,
                     MINICORN_EV_A1)
#undef MINICORN_EV_KIND
#undef MINICORN_EV_CONN
#undef MINICORN_EV_REQ
#undef MINICORN_EV_GREEN
#undef MINICORN_EV_A0
#undef MINICORN_EV_A1
// Pass 4: fill() writes them into a record the caller stamps (the collector's own events).
#define MINICORN_EV_CONN(doc) e.conn = conn;
#define MINICORN_EV_REQ(doc) e.req = req;
#define MINICORN_EV_GREEN(doc) e.green = green;
#define MINICORN_EV_A0(n, type, doc) e.a0 = n.v;
#define MINICORN_EV_A1(n, type, doc) e.a1 = n.v;
#define MINICORN_EV_KIND(N, fam, role, sp, gt, label, meaning, fields) \
    inline void N::fill(Event& e) const {                               \
        e.kind = kKind;                                                 \
        fields                                                          \
    }
MINICORN_TRACE_KINDS(MINICORN_EV_KIND, MINICORN_EV_CONN, MINICORN_EV_REQ, MINICORN_EV_GREEN, MINICORN_EV_A0,
                     MINICORN_EV_A1)
#undef MINICORN_EV_KIND
#undef MINICORN_EV_CONN
#undef MINICORN_EV_REQ
#undef MINICORN_EV_GREEN
#undef MINICORN_EV_A0
#undef MINICORN_EV_A1
// clang-format on

}  // namespace ev
}  // namespace minicorn::trace
