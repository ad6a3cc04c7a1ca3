// engine/wsgi/demo_app.h — the demo application, the "Django app" of the
// gunicorn write-ups, and the hook a worker loads it through.
//
// Routes (any method; PATH_INFO percent-decoded; query parsed as Django's
// QueryDict, the last of repeated parameters wins):
//   /                    200 "Hello, World!"
//   /io?ms=N             runtime.sleep(N): a patched sleep (parks a greenlet, blocks a thread)
//   /cpu?ms=N            runtime.cpu(N): N ms of CPU time holding the GIL
//   /block?ms=N          runtime.block(N): an unpatched C call, blocks even a hub
//   /stream?chunks=N&ms=M  N chunks, runtime.sleep(M) before each but the first;
//                          no Content-Length, so HTTP/1.1 gets it chunked
//   /fanout?n=N&ms=M[&spawn=1]   N waits of M ms inside one view (demo_fanout.h)
//   /threads?n=N&ms=M[&work=cpu] N tasks on the view's own thread pool (demo_fanout.h)
//   /echo                the request body back, application/octet-stream
//   /headers             the request headers, one "NAME: value" per line
//   /crash               SIGKILL to its own process (the master logs signal 9)
//   /hang                runtime.hang(): never returns
//   /version, /deploy?version=N  the version read at import; a deploy (app_module.h)
// An unknown path gets 404; a missing, malformed or too large parameter gets
// 400 naming it. Every response but /stream carries a Content-Length.
//
// Threads: the app is stateless; call() may run on many threads at once. It
// expects what app.h and runtime.h say: the worker holds the GIL and supplies
// the Runtime of the calling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/wsgi/app.h"
#include "engine/wsgi/app_module.h"
#include "engine/wsgi/query.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi {

// Limits on parameters: a larger value is a 400, not a stuck worker by typo.
inline constexpr std::uint64_t kMaxMillis = 600'000;  // 10 minutes
inline constexpr std::uint64_t kMaxChunks = 10'000;
inline constexpr std::uint64_t kDefaultStreamChunks = 5;
inline constexpr std::uint64_t kDefaultStreamMillis = 100;

// A route's view function. Parameters were parsed from the query already; a
// handler may block, compute or never return through env.runtime.
using RouteHandler = Response (*)(const Environ& env, const QueryParams& query);

struct RouteInfo {
    std::string_view path;         // matched exactly against the decoded path: "/io"
    std::string_view usage;        // with its parameters: "/io?ms=N"
    std::string_view description;  // one line, for --help and the studio
    RouteHandler handler;
};

// The route table, in the order above. Static data; any thread.
const std::vector<RouteInfo>& demo_routes();

std::unique_ptr<Application> make_demo_app();

// -------------------------------------------------------------------------
// Loading, as a worker's load_wsgi() imports the app module.

struct AppOptions {
    // A constructor, so that {name, load_time} still reads whole (no missing field).
    AppOptions(std::string app_name = "demo", Millis import_time = Millis{0}, ImportOptions module_options = {})
        : name(std::move(app_name)), load_time(import_time), module(std::move(module_options)) {}
    std::string name;           // one of app_names()
    Millis load_time;           // simulated import time
    ImportOptions module;       // what the module's top level does (app_module.h)
};

// The names load_app() knows: "demo" and "broken" (imports, then has no
// application object: gunicorn's AppImportError, worker exit code 4).
const std::vector<std::string_view>& app_names();

// Imports the app: spends options.load_time in runtime.block() — so a signal
// during a slow import runs the worker's check_signals, as in CPython — then
// returns it. Throws AppLoadError at once for a name not in app_names(), and
// after the load time for "broken". Call with the GIL held, as any Runtime call.
std::unique_ptr<Application> load_app(const AppOptions& options, Runtime& runtime);

// The same without a Runtime: sleeps the calling thread for the load time,
// resuming after signal interruptions. No GIL involved.
std::unique_ptr<Application> load_app(const AppOptions& options);

}  // namespace minicorn::wsgi
