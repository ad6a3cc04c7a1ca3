#include "engine/wsgi/demo_app.h"
#include "engine/wsgi/demo_params.h"
#include "engine/wsgi/demo_fanout.h"

#include <csignal>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "engine/wsgi/app_module.h"

namespace minicorn::wsgi {

namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

using demo::BadRequest;
using demo::Presence;
using demo::int_param;
using demo::millis_param;
using demo::text;

// A complete body of known size, sent as one chunk.
Response fixed_response(int status, std::string reason, std::string_view content_type,
                        std::string body) {
    Response response;
    response.status = status;
    response.reason = std::move(reason);
    response.headers = {{"Content-Type", std::string{content_type}},
                        {"Content-Length", std::to_string(body.size())}};
    response.next_chunk = [body = std::move(body),
                           done = false]() mutable -> std::optional<std::string> {
        // An empty chunk would read as "end of body" to a chunked writer, so an
        // empty body is no chunk at all.
        if (done || body.empty()) return std::nullopt;
        done = true;
        return std::move(body);
    };
    return response;
}

}  // namespace

Response demo::text(std::string body) {
    return fixed_response(200, "OK", kTextPlain, std::move(body));
}

// As the view would get from int(request.GET[name]) plus a range check.
std::uint64_t demo::int_param(const QueryParams& query, std::string_view name, Presence presence,
                        std::uint64_t fallback, std::uint64_t max, std::string_view usage) {
    const std::string* text = query.get(name);
    if (text == nullptr) {
        if (presence == Presence::Optional) return fallback;
        throw BadRequest(fmt::format("parameter '{}' is missing (usage: {})", name, usage));
    }
    constexpr std::size_t kEchoLimit = 40;  // keep a hostile value out of the reply
    const std::string shown = text->size() > kEchoLimit ? text->substr(0, kEchoLimit) + "..." : *text;
    if (text->empty() || text->find_first_not_of("0123456789") != std::string::npos) {
        throw BadRequest(
            fmt::format("parameter '{}' must be a non-negative integer, got '{}'", name, shown));
    }
    std::uint64_t value = 0;
    for (const char digit : *text) {
        value = value * 10 + static_cast<std::uint64_t>(digit - '0');
        if (value > max) {
            throw BadRequest(
                fmt::format("parameter '{}' is too large: {} (at most {})", name, shown, max));
        }
    }
    return value;
}

Millis demo::millis_param(const QueryParams& query, Presence presence, std::uint64_t fallback,
                          std::string_view usage) {
    const std::uint64_t ms = int_param(query, "ms", presence, fallback, kMaxMillis, usage);
    return Millis{static_cast<Millis::rep>(ms)};
}

namespace {

// --- the views -------------------------------------------------------------

Response hello(const Environ&, const QueryParams&) { return text("Hello, World!"); }

Response io(const Environ& env, const QueryParams& query) {
    const Millis ms = millis_param(query, Presence::Required, 0, "/io?ms=N");
    env.runtime.sleep(ms);
    return text(fmt::format("io: slept {} ms in time.sleep() (patched: parks a greenlet, "
                            "blocks a thread)\n",
                            ms.count()));
}

Response db(const Environ& env, const QueryParams& query) {
    const Millis ms = millis_param(query, Presence::Required, 0, "/db?ms=N");
    if (const DbConnection& shared = module_globals().db; shared.fd >= 0) {
        env.runtime.db_on(shared, ms);  // --db-at-import: the connection the import opened
        return text(fmt::format("db: the backend answered after {} ms on the connection the app opened at import "
                                "({})\n",
                                ms.count(),
                                shared.patched ? "a patched socket: parks a greenlet"
                                               : "a plain socket, opened before any patching: blocks the thread, "
                                                 "even a hub"));
    }
    env.runtime.db(ms);
    return text(fmt::format("db: the backend answered after {} ms (a socket round trip: parks a greenlet, "
                            "blocks a thread)\n",
                            ms.count()));
}

Response cpu(const Environ& env, const QueryParams& query) {
    const Millis ms = millis_param(query, Presence::Required, 0, "/cpu?ms=N");
    env.runtime.cpu(ms);
    return text(fmt::format("cpu: computed for {} ms of CPU time, holding the GIL\n", ms.count()));
}

Response block(const Environ& env, const QueryParams& query) {
    const Millis ms = millis_param(query, Presence::Required, 0, "/block?ms=N");
    env.runtime.block(ms);
    return text(fmt::format("block: blocked {} ms in an unpatched C call (blocks the thread, "
                            "even a hub)\n",
                            ms.count()));
}

Response stream(const Environ& env, const QueryParams& query) {
    constexpr std::string_view kUsage = "/stream?chunks=N&ms=M";
    const std::uint64_t chunks =
        int_param(query, "chunks", Presence::Optional, kDefaultStreamChunks, kMaxChunks, kUsage);
    const Millis ms = millis_param(query, Presence::Optional, kDefaultStreamMillis, kUsage);

    Response response;
    response.headers = {{"Content-Type", std::string{kTextPlain}}};
    // A generator view: each chunk is made only when the worker asks for it,
    // so the sleeps happen while the response is being written.
    response.next_chunk = [runtime = &env.runtime, chunks, ms,
                           sent = std::uint64_t{0}]() mutable -> std::optional<std::string> {
        if (sent == chunks) return std::nullopt;
        if (sent > 0) runtime->sleep(ms);
        ++sent;
        return fmt::format("chunk {} of {}\n", sent, chunks);
    };
    return response;
}

Response echo(const Environ& env, const QueryParams&) {
    return fixed_response(200, "OK", "application/octet-stream", env.input.read());
}

Response headers(const Environ& env, const QueryParams&) {
    std::string body;
    for (const http::Header& header : env.request.headers) {
        body += header.name;
        body += ": ";
        body += header.value;
        body += '\n';
    }
    return text(std::move(body));
}

[[noreturn]] Response crash(const Environ&, const QueryParams&) {
    // No handler, no cleanup, no reply: the master's reap logs "terminated
    // due to signal 9", the way an OOM kill looks.
    std::raise(SIGKILL);
    std::abort();  // unreachable: SIGKILL cannot be caught
}

[[noreturn]] Response hang(const Environ& env, const QueryParams&) {
    env.runtime.hang();
    // GCC does not carry [[noreturn]] through a virtual call; hang() ends only
    // by throwing or by the process ending.
    std::abort();
}

Response not_found(std::string_view path) {
    std::string body = fmt::format("Not Found: no route for {}\nroutes:", path);
    for (const RouteInfo& route : demo_routes()) body += fmt::format(" {}", route.path);
    body += '\n';
    return fixed_response(404, "Not Found", kTextPlain, std::move(body));
}

class DemoApp final : public Application {
public:
    Response call(const Environ& env) override {
        const std::string path = percent_decode(env.request.path, PlusAsSpace::No);
        for (const RouteInfo& route : demo_routes()) {
            if (route.path != path) continue;
            try {
                return route.handler(env, QueryParams::parse(env.request.query));
            } catch (const BadRequest& e) {
                return fixed_response(400, "Bad Request", kTextPlain,
                                      fmt::format("Bad Request: {}\n", e.what()));
            }
        }
        return not_found(path);
    }
};

// --- loading ---------------------------------------------------------------

void require_known_app(const std::string& name) {
    for (const std::string_view known : app_names()) {
        if (known == name) return;
    }
    std::string names;
    for (const std::string_view known : app_names()) {
        names += names.empty() ? "" : ", ";
        names += known;
    }
    throw AppLoadError(fmt::format("no application named '{}' (available: {})", name, names));
}

// What the import found, once the module has been executed.
std::unique_ptr<Application> finish_import(const AppOptions& options) {
    import_module(options.module);
    const std::string& name = options.name;
    if (name == "broken") {
        // gunicorn's own wording (util.import_app): the module imported, but
        // has no WSGI callable in it.
        throw AppLoadError("Failed to find attribute 'application' in 'broken'.");
    }
    return make_demo_app();
}

}  // namespace

const std::vector<RouteInfo>& demo_routes() {
    static const std::vector<RouteInfo> routes{
        {"/", "/", "Hello, World! — the smallest response", hello},
        {"/io", "/io?ms=N", "a patched time.sleep(N ms): parks a greenlet, blocks a thread", io},
        {"/db", "/db?ms=N", "a query to a backend on loopback that answers after N ms: a socket round trip", db},
        {"/cpu", "/cpu?ms=N", "N ms of pure-Python CPU work, holding the GIL", cpu},
        {"/block", "/block?ms=N", "an unpatched blocking C call of N ms: blocks even the hub",
         block},
        {"/stream", "/stream?chunks=N&ms=M",
         "N chunks (default 5), sleeping M ms (default 100) between them; sent chunked", stream},
        {"/fanout", "/fanout?n=N&ms=M[&spawn=1]",
         "N waits of M ms inside one request: one after another (N*M ms) in a plain view; gathered (M ms) in an "
         "async one (asyncio); spawn=1 gives each its own greenlet", fanout},
        {"/threads", "/threads?n=N&ms=M[&work=cpu]",
         "N tasks of M ms on the view's own thread pool: real OS threads, or greenlets under gevent/eventlet", threads},
        {"/echo", "/echo", "the request body, sent back", echo},
        {"/headers", "/headers", "the request headers, one NAME: value per line", headers},
        {"/crash", "/crash", "kills the worker with SIGKILL (the master logs signal 9)", crash},
        {"/hang", "/hang", "never returns: the request hangs until the worker is killed", hang},
        {"/version", "/version", "the app's version, as read from its version file when it was imported", version_view},
        {"/deploy", "/deploy?version=N", "writes N into the version file (a deploy); running workers keep theirs",
         deploy_view},
    };
    return routes;
}

std::unique_ptr<Application> make_demo_app() { return std::make_unique<DemoApp>(); }

const std::vector<std::string_view>& app_names() {
    static const std::vector<std::string_view> names{"demo", "broken"};
    return names;
}

std::unique_ptr<Application> load_app(const AppOptions& options, Runtime& runtime) {
    require_known_app(options.name);  // ModuleNotFoundError is immediate
    runtime.block(options.load_time);
    return finish_import(options);
}

std::unique_ptr<Application> load_app(const AppOptions& options) {
    require_known_app(options.name);
    std::this_thread::sleep_for(options.load_time);  // resumes after EINTR
    return finish_import(options);
}

}  // namespace minicorn::wsgi
