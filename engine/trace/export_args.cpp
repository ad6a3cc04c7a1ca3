// engine/trace/export_args.cpp — names and shown values for the export (see export_args.h).
#include "engine/trace/export_args.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>

#include "engine/http/errors.h"
#include "engine/trace/world.h"  // format_id, signal_name

namespace minicorn::trace::exporter {
namespace {

// gunicorn's handler names: the arbiter's (Arbiter.SIG_NAMES → handle_<name>)
// and the worker's Python-level one (workers/base.py init_signals), "" if none.
struct SignalHandlers {
    int signo;
    std::string_view arbiter;
    std::string_view worker;
};
constexpr SignalHandlers kHandlers[] = {
    {SIGHUP, "handle_hup", ""},
    {SIGINT, "handle_int", "handle_quit"},
    {SIGQUIT, "handle_quit", "handle_quit"},
    {SIGTERM, "handle_term", "handle_exit"},
    {SIGABRT, "", "handle_abort"},
    {SIGUSR1, "handle_usr1", "handle_usr1"},
    {SIGUSR2, "handle_usr2", ""},
    {SIGCHLD, "handle_chld", ""},
    {SIGTTIN, "handle_ttin", ""},
    {SIGTTOU, "handle_ttou", ""},
    {SIGWINCH, "handle_winch", "handle_winch"},
};

const SignalHandlers* handlers_of(std::int64_t signo) {
    for (const SignalHandlers& h : kHandlers) {
        if (h.signo == signo) return &h;
    }
    return nullptr;
}

}  // namespace

std::string arbiter_handler(std::int64_t signo) {
    const SignalHandlers* h = handlers_of(signo);
    return h && !h->arbiter.empty() ? std::string(h->arbiter) : "handle " + signal_name(signo);
}

std::string_view worker_handler(std::int64_t signo) {
    const SignalHandlers* h = handlers_of(signo);
    return h ? h->worker : std::string_view();
}

std::string errno_text(std::int64_t err) {
    switch (err) {
        case EAGAIN: return "EAGAIN";
        case ECONNABORTED: return "ECONNABORTED";
        case EINTR: return "EINTR";
        case EMFILE: return "EMFILE";
        default: return fmt::format("errno {}", err);
    }
}

namespace {

// WorkerReaped a1: an exit code, or -signal.
std::string exit_text(std::int64_t status) {
    return status < 0 ? "killed by " + signal_name(-status) : fmt::format("exit {}", status);
}

}  // namespace

std::string_view thread_role_text(ThreadRole role) {
    switch (role) {
        case ThreadRole::Main: return "main";
        case ThreadRole::Pool: return "pool";
        case ThreadRole::Hub: return "hub";
        case ThreadRole::Sampler: return "sampler";
        case ThreadRole::App: return "app";
    }
    return "thread";
}

// An event loop's phase slice: "1 timers" … "4 dispatch", the numbered list
// of engine/loop/io_loop.h.
std::string loop_phase_text(std::int64_t phase) {
    constexpr auto kLast = static_cast<std::int64_t>(LoopPhaseId::Dispatch);
    if (phase < 1 || phase > kLast) return fmt::format("loop phase {}", phase);
    return fmt::format("{} {}", phase, to_string(static_cast<LoopPhaseId>(phase)));
}

namespace {

std::string loop_callback_text(std::int64_t kind) {
    std::string_view name = to_string(static_cast<LoopCallback>(kind));
    return name == "?" ? fmt::format("callback {}", kind) : std::string(name);
}

// An enum's name, or "<number>" for a value outside it.
std::string named_or_number(std::string_view name, std::int64_t value) {
    return name == "?" ? fmt::format("{}", value) : std::string(name);
}

std::string parse_error_text(std::int64_t kind) {
    constexpr auto kLast = static_cast<std::int64_t>(http::ParseErrorKind::ValueError);
    if (kind < 0 || kind > kLast) return fmt::format("error {}", kind);
    return std::string(http::to_string(static_cast<http::ParseErrorKind>(kind)));
}

}  // namespace

ArgValue shown(ArgType type, std::int64_t value) {
    switch (type) {
        case ArgType::Int: return value;
        case ArgType::Bool: return value != 0;
        case ArgType::Signal: return signal_name(value);
        case ArgType::ExitStatus: return exit_text(value);
        case ArgType::Model: return std::string(to_string(static_cast<ModelId>(value)));
        case ArgType::ThreadRole: return std::string(thread_role_text(static_cast<ThreadRole>(value)));
        case ArgType::LoopPhase: return loop_phase_text(value);
        case ArgType::LoopCallback: return loop_callback_text(value);
        case ArgType::ParseError: return parse_error_text(value);
        case ArgType::ClientRole: return named_or_number(to_string(static_cast<ClientRole>(value)), value);
        case ArgType::ClientError: return named_or_number(to_string(static_cast<ClientErrorKind>(value)), value);
        case ArgType::CounterId: return named_or_number(to_string(static_cast<CounterId>(value)), value);
        case ArgType::HttpVersion: return fmt::format("{}.{}", value / 10, value % 10);
        case ArgType::Id: return format_id(static_cast<std::uint64_t>(value));
    }
    return value;
}

Args args_of(const Event& e) {
    const KindInfo& k = info(e.kind);
    Args args;
    bool unknown = k.kind == EventKind::None;  // a kind this build does not know: show every field
    if (e.conn && (unknown || !k.conn.empty())) args.push_back({"conn", format_id(e.conn)});
    if (e.req && (unknown || !k.req.empty())) args.push_back({"req", format_id(e.req)});
    if (e.green) args.push_back({"green", std::int64_t{e.green}});  // without a GREEN column: the greenlet that emitted it
    if (unknown) {
        if (e.a0) args.push_back({"a0", e.a0});
        if (e.a1) args.push_back({"a1", e.a1});
        return args;
    }
    for (const Arg& a : result_args(e)) args.push_back(a);
    return args;
}

Args result_args(const Event& e) {
    const KindInfo& k = info(e.kind);
    Args args;
    if (k.a0.used()) args.push_back({k.a0.name, shown(k.a0.type, e.a0)});
    if (k.a1.used()) args.push_back({k.a1.name, shown(k.a1.type, e.a1)});
    return args;
}

std::string_view category_of(Family family) {
    switch (family) {
        case Family::Arbiter: return kCatArbiter;
        case Family::Worker: return kCatProcess;
        case Family::WorkerLoop:
        case Family::Poller:
        case Family::Loop: return kCatLoop;
        case Family::Connection: return kCatConn;
        case Family::Threads:
        case Family::Green: return kCatThreads;
        case Family::Gil: return kCatGil;
        case Family::Client: return kCatClient;
        case Family::None:
        case Family::Bookkeeping:
        case Family::kCount: break;
    }
    return kCatTrace;
}

}  // namespace minicorn::trace::exporter
