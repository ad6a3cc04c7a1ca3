// engine/wsgi/app.h — the WSGI-like contract between a worker and the application.
//
// A worker parses a request, builds an Environ and calls Application::call()
// on the thread (or greenlet) that handles the connection. The response body is
// produced lazily, chunk by chunk, like a WSGI iterable, so an app can sleep
// between chunks (/stream) and the worker writes each chunk as it comes.
//
// The GIL: the worker holds the process's Gil (gil.h) across call() and across
// each next_chunk() call, as CPython runs a WSGI app and iterates its body with
// the GIL held; the app's Runtime calls release it where Python would.
//
// Threads: one Application serves every thread of a worker (gthread calls it
// from several at once), so call() must be safe to run concurrently. A
// Response's next_chunk belongs to the thread (greenlet) that got it, and may
// use that call's env.runtime: the worker keeps that Runtime alive until the
// body is finished or abandoned.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/http/request.h"
#include "engine/wsgi/input.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi {

struct Environ {
    const http::Request& request;  // the head: its body is not there, read it from `input`
    std::string remote_addr;   // peer IP, "127.0.0.1"
    std::uint16_t remote_port = 0;
    std::string server_name;   // listener host
    std::uint16_t server_port = 0;
    bool multithread = false;  // wsgi.multithread
    bool multiprocess = false; // wsgi.multiprocess (workers > 1)
    Runtime& runtime;          // sleep / block / cpu for this thread
    Input& input;              // wsgi.input: the request body, read on demand
};

struct Response {
    int status = 200;
    std::string reason = "OK";
    std::vector<http::Header> headers;  // names as the app wrote them ("Content-Type")
    // Next body chunk, or nullopt when the body is complete. Empty by default.
    std::function<std::optional<std::string>()> next_chunk;
};

// Thrown by an application that fails before it returned a response; the worker
// answers 500 with an empty message (gunicorn's handle_error).
class AppError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown while loading the application when it cannot be found — gunicorn's
// AppImportError ("Failed to find attribute 'application' in 'x'."). The worker
// prints the message and exits with code 4 (APP_LOAD_ERROR), and the master
// then halts with "App failed to load." instead of respawning.
class AppLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Application {
public:
    virtual ~Application() = default;
    virtual Response call(const Environ& env) = 0;
};

}  // namespace minicorn::wsgi
